export * from './ladder.js';
export * from './season.js';
