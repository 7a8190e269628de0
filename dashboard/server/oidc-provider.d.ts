// oidc-provider (a dev dependency: the real OpenID provider of the tests) ships no type declarations.
declare module 'oidc-provider';
