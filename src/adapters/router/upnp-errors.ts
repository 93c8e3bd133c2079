import { ServiceError, type ServiceFailure } from '../../kernel/errors.js';

/** Why a UPnP or NAT-PMP exchange failed, with a message safe to show (no body dumps). */
export class RouterError extends ServiceError {
  override readonly name: string = 'RouterError';
  constructor(kind: ServiceFailure, message: string, status?: number, options?: ErrorOptions) {
    super('the router', kind, message, status, options);
  }
}

/**
 * A SOAP fault from the router. `errorCode` is the UPnP code from `<UPnPError>` (713 = no such
 * array index, 714 = no such entry, 718 = conflict, 606 = action not authorized, 402 = invalid
 * arguments); undefined when the fault carried none.
 */
export class UpnpFaultError extends RouterError {
  override readonly name = 'UpnpFaultError';
  constructor(
    readonly action: string,
    readonly errorCode: number | undefined,
    readonly errorDescription: string | undefined,
    status: number,
  ) {
    super(
      'refused',
      `${action} was refused by the router: UPnP error ${errorCode ?? 'without code'}${errorDescription ? ` (${errorDescription})` : ''}`,
      status,
    );
  }
}

export const UPNP_ERRORS = {
  invalidArgs: 402,
  actionFailed: 501,
  notAuthorized: 606,
  noSuchArrayIndex: 713,
  noSuchEntry: 714,
  conflict: 718,
} as const satisfies Record<string, number>;
