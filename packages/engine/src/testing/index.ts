// Test support (`@fitroom/engine/testing`): fakes of the providers' APIs and a clock for the hosted-engine adapters,
// and the drawn flat-lay bottoms (the fixtures hold none) for the server's outfit test.
export { type SyntheticBottom, syntheticBottom } from '../quality/synthetic-bottoms.js';
export { type FakeClock, fakeClock } from './fake-clock.js';
export { type FakeFashn, type FashnOutcome, startFakeFashn } from './fake-fashn.js';
export { type FakeOip, type OipOutcome, startFakeOip } from './fake-oip.js';
export { type FakeReplicate, type ReplicateOutcome, startFakeReplicate } from './fake-replicate.js';
export { driftedResult, type FakeServer, startFakeServer } from './http-fake.js';
