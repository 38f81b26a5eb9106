import net from "node:net";

/**
 * A TCP port on 127.0.0.1 that nothing listens on now, chosen by the OS: test servers started side by side
 * (the shared test database, the fault suite's and the supervision test's own PostgreSQL) never collide.
 *
 * @example const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
