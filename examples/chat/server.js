// A small chat server: namespace /chat, a token in the handshake, rooms, events with and
// without acks. LEAK=1 turns on two classic leaks: users are never forgotten on
// disconnect (the `users` Map grows) and each connection's presence interval keeps running.
import http from "node:http";
import { Server } from "socket.io";

// Under leakcheck, gauge() makes a Map's size a gauge; anywhere else it does nothing, and
// this app still starts when leakcheck (a dev dependency) is not installed.
const { gauge } = await import("leakcheck/gauges").catch(() => ({ gauge: () => undefined }));

const LEAK = process.env.LEAK === "1";
const TOKEN = process.env.CHAT_TOKEN ?? "dev-token";
const PRESENCE_MS = 10_000;

/** socket id → who is connected, and where. */
const users = new Map();
gauge("users", () => users.size);

const server = http.createServer((request, response) => {
  if (request.url === "/health") return void response.end("ok");
  response.statusCode = 404;
  response.end("not found");
});
const io = new Server(server);
const chat = io.of("/chat");

chat.use((socket, next) => {
  const { token, name } = socket.handshake.auth ?? {};
  if (token !== TOKEN) return next(new Error("invalid token"));
  if (typeof name !== "string" || name.length === 0 || name.length > 40) return next(new Error("a name of 1 to 40 characters is needed"));
  next();
});

chat.on("connection", (socket) => {
  const user = { name: socket.handshake.auth.name, rooms: new Set(), lastSeen: Date.now() };
  users.set(socket.id, user);
  const presence = setInterval(() => (user.lastSeen = Date.now()), PRESENCE_MS);

  socket.on("join", (room, ack) => {
    if (typeof ack !== "function") return;
    if (typeof room !== "string" || !/^[\w-]{1,40}$/.test(room)) return ack({ ok: false, error: "bad-room" });
    socket.join(room);
    user.rooms.add(room);
    socket.to(room).emit("joined", { room, name: user.name });
    ack({ ok: true, room, members: chat.adapter.rooms.get(room)?.size ?? 1 });
  });

  socket.on("message", (message, ack) => {
    if (typeof ack !== "function") return;
    const { room, text } = message ?? {};
    if (!user.rooms.has(room)) return ack({ ok: false, error: "not-in-room" });
    if (typeof text !== "string" || text.length > 2000) return ack({ ok: false, error: "bad-text" });
    const sent = { room, from: user.name, text, at: Date.now() };
    socket.to(room).emit("message", sent);
    ack({ ok: true, at: sent.at });
  });

  socket.on("typing", (room) => {
    if (user.rooms.has(room)) socket.to(room).emit("typing", { room, name: user.name });
  });

  socket.on("disconnect", () => {
    if (LEAK) return; // the bug: the user stays in the Map and the interval keeps running
    clearInterval(presence);
    users.delete(socket.id);
  });
});

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
server.listen(port, host, () => console.log(`chat listening on http://${host}:${server.address().port}${LEAK ? " (LEAK=1)" : ""}`));
