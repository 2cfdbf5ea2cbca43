// The pure core the room uses: profile validation (K01) and the composite schedule (K08). One indirection so the
// room is written once against the core's signatures.
export { validateProfile, compositeSchedule, type ProfileContext } from './core-stand-in.js';
