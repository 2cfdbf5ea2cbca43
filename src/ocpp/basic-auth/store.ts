// The storage of the A01 password rotation (rotation.ts): the BasicAuthPassword to fall back to while a new
// one has not yet been accepted by the CSMS. sqlite-store.ts keeps it in the device model file.
export interface BasicAuthFallbackStore {
  get(): string | undefined;
  set(password: string): void;
  clear(): void;
}
