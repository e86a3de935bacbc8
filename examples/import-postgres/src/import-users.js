import { importCustomers } from '@supportdesk/core';
import QueryStream from 'pg-query-stream';

/** A row of `users` as the customer SupportDesk keeps. `id` is a bigint: pg hands it over as a string. */
export function mapUser(row) {
  const metadata = { plan: row.plan, signedUpAt: row.created_at.toISOString() };
  if (row.company !== null) metadata.companyName = row.company;
  return { externalId: row.id, email: row.email, name: `${row.first_name} ${row.last_name}`, metadata };
}

/**
 * Streams `users` through a server-side cursor (pg-query-stream fetches `batchSize` rows at a
 * time) into importCustomers, which reads it only as fast as it sends: the whole table is never
 * in memory, whatever its size.
 */
export async function importUsers(client, options) {
  const rows = client.query(new QueryStream('SELECT * FROM users ORDER BY id', [], { batchSize: 200 }));
  try {
    return await importCustomers(rows, { mapUser, ...options });
  } finally {
    // An import that stopped early (a signal, a refused key) leaves the cursor open: close it.
    rows.destroy();
  }
}
