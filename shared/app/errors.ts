/**
 * A use case refused what it was asked, for a reason the operator can act on (a unit that may not hold a
 * key, say). Front ends show the message as it is; anything else is a fault.
 */
export class OperationRefusedError extends Error {
  override readonly name = 'OperationRefusedError';
}
