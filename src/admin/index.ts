/** Operators' actions (rooms, queues, players, kicks, bans) and the audit log that records them. */
export { AdminService, type AdminDeps, type NodeFigures } from './service.js';
export { AuditLog, type Actor, type AuditRecord } from './audit.js';
