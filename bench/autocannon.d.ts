// autocannon ships no type declarations; bench/api.ts uses it untyped.
declare module 'autocannon';
