/** Per-check JSON state kept between scans (a baseline, addresses already seen). */
export interface CheckState {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
}
