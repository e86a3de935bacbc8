export * from '@supportdesk/core';
export type { RequestUser, SupportDeskOptions } from './options.js';
export { type SupportDeskPlugin, supportDesk, supportDesk as default } from './plugin.js';
