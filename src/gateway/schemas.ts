import { Type } from 'typebox';

// Response shapes live in src/api, shared with the SDK; this file has what only the gateway needs.

/** Every error response: a stable code for programs and a message for people. */
export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable error code, e.g. invalid_credentials' }),
    message: Type.String(),
  },
  { $id: 'ErrorResponse' },
);

/** Error responses every route may produce; spread into a route's `response`. */
export const errorResponses = {
  '4xx': Type.Ref('ErrorResponse'),
  '5xx': Type.Ref('ErrorResponse'),
};

/** A whole number of up to `max` digits in a query string or path (they arrive as text). */
export const Digits = (max: number, description?: string) => Type.String({ pattern: `^[0-9]{1,${max}}$`, ...(description ? { description } : {}) });

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 8, maxLength: 128 });
export const DisplayName = Type.String({ minLength: 1, maxLength: 32, pattern: '^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$' });

export const RegisterBody = Type.Object(
  { email: Email, password: Password, display_name: Type.Optional(DisplayName) },
  { additionalProperties: false },
);
export const LoginBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
export const GuestBody = Type.Object({ display_name: Type.Optional(DisplayName) }, { additionalProperties: false });

const CheckResult = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
  backend: Type.String(),
  latency_ms: Type.Number(),
  error: Type.Optional(Type.String()),
});

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('draining')], {
    description: 'draining (503): the node shuts down or was drained; it takes no new players or rooms',
  }),
  node: Type.String(),
  uptime_seconds: Type.Number(),
  checks: Type.Object({
    database: CheckResult,
    cache: CheckResult,
    outbox: Type.Object({
      status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')], { description: 'degraded while records wait for the database' }),
      backend: Type.Union([Type.Literal('file'), Type.Literal('memory')]),
      depth: Type.Integer({ description: 'Records not yet written to the database' }),
      oldest_age_seconds: Type.Number(),
    }),
  }),
});
