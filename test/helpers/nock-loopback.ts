import nock from "nock";

/**
 * For the enclosing describe (or file): nock intercepts every request and only loopback may reach the network;
 * afterwards nock is cleaned and un-patched, so the next test file in this jest worker gets the real stack.
 */
export function nockWithLoopbackOnly(): void {
  beforeAll(() => {
    // Another file in this jest worker may have left its own copy of nock patched in: start clean.
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });
}
