// The pure core the room uses: profile validation (K01, validate-profile.ts) and the composite schedule (K08,
// composite.ts). One indirection so the room is written once against the core's signatures.
export { validateProfile, type ProfileContext, type ProfileValidation } from './validate-profile.js';
export { compositeSchedule } from './composite.js';
