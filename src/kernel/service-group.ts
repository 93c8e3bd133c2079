import type { Logger } from './logger.js';
import type { Service } from './service.js';

/**
 * Starts services in the order given and stops the started ones in reverse, so a service can
 * rely on every service before it for as long as it runs. A start that fails stops what was
 * started (including the one that failed: it may have begun) and rethrows.
 */
export class ServiceGroup {
  private readonly started: Service[] = [];

  constructor(
    private readonly services: readonly Service[],
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const service of this.services) {
      this.started.push(service);
      try {
        await service.start();
      } catch (error) {
        await this.stop();
        throw error;
      }
    }
  }

  /** Stops in reverse; one that fails to stop is logged and the others still stop. */
  async stop(): Promise<void> {
    for (const service of this.started.splice(0).reverse()) {
      try {
        await service.stop();
      } catch (error) {
        this.logger.error('a service did not stop cleanly', { service: service.name, error });
      }
    }
  }
}
