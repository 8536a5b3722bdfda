package io.jpod.cli.api;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

/**
 * The Docker-compatible API's listener: an HTTP/1.1 server on a unix socket (0600; a peer whose SO_PEERCRED user
 * is not the socket's owner gets a 403 and is closed), one thread per connection, requests in sequence on a
 * connection (keep-alive) until the client closes it, a response ends it, or a request is malformed (a 4xx, then
 * the connection is closed). What a request means is {@link DockerApi}'s business.
 */
public final class ApiServer {
    /** Around every request: the per-user service counts them to know when it is idle. */
    public interface Activity {
        void begin();

        void end();
    }

    private final Path socket;
    private final DockerApi api;
    private final PrintStream log;
    private final Activity activity;
    private volatile ServerSocketChannel server;

    public ApiServer(Path socket, DockerApi api, PrintStream log, Activity activity) {
        this.socket = socket;
        this.api = api;
        this.log = log;
        this.activity = activity;
    }

    public Path socket() {
        return socket;
    }

    /** Binds the socket (a stale one is replaced) and serves on a thread of its own until {@link #close()}. */
    public void start() throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        server = ch;
        UserPrincipal owner = Files.getOwner(socket);
        Thread t = new Thread(() -> acceptLoop(owner), "jpod-api-accept");
        t.setDaemon(true);
        t.start();
    }

    /** Stops listening and removes the socket; connections under way finish. */
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // gone already
        }
    }

    private void acceptLoop(UserPrincipal owner) {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.println("jpod api: accept: " + e.getMessage());
                continue;
            }
            Thread t = new Thread(() -> connection(ch, owner), "jpod-api-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connection(SocketChannel ch, UserPrincipal owner) {
        try (ch) {
            InputStream in = new BufferedInputStream(SocketStreams.in(ch), 16384);
            OutputStream out = new BufferedOutputStream(SocketStreams.out(ch), 16384);
            UserPrincipal peer = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user();
            if (!peer.getName().equals(owner.getName())) {
                // another host uid shows as unmapped (nobody) in this user namespace
                String body = "{\"message\":\"this jpod API socket accepts requests only from its own user\"}\n";
                out.write(("HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            HttpExchange[] last = new HttpExchange[1];
            while (serveOne(in, out, last)) {
                // keep-alive: the next request
            }
            if (last[0] != null && last[0].hijacked()) {
                linger(ch);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Serves one request; whether the connection carries another. */
    private boolean serveOne(InputStream in, OutputStream out, HttpExchange[] last) throws IOException {
        HttpRequest request;
        try {
            request = HttpRequest.read(in);
        } catch (HttpError e) {
            malformed(out, e.status(), e.getMessage());
            return false;
        }
        if (request == null) {
            return false;
        }
        activity.begin();
        try {
            HttpExchange ex = new HttpExchange(request, in, out);
            last[0] = ex;
            try {
                api.handle(ex);
            } catch (HttpError e) {
                if (ex.sent()) {
                    return false; // mid-stream: the client sees the stream end
                }
                if (e.status() == 400 || e.status() == 413 || e.status() == 431) {
                    ex.closeAfter(); // the body may be unread or malformed: do not look for a next request in it
                }
                ex.error(e.status(), e.getMessage());
                if (!ex.keepAlive()) {
                    return false;
                }
            } catch (IOException e) {
                throw e;
            } catch (RuntimeException e) {
                if (ex.sent()) {
                    return false;
                }
                ApiErrors.Failure f = ApiErrors.of(e);
                if (f.status() == 500 && f.unexpected()) {
                    log.println("jpod api: " + request.method + " " + request.path + ": " + e);
                    e.printStackTrace(log); // the service's log only; the client sees the type name
                }
                ex.error(f.status(), f.message());
            }
            if (!ex.keepAlive()) {
                return false;
            }
            try {
                request.drain(1 << 20);
            } catch (HttpError | IOException e) {
                return false;
            }
            return true;
        } finally {
            activity.end();
        }
    }

    /**
     * The end of a hijacked stream: our side is shut down so the client reads EOF, and what it still sends
     * (stdin typed after the container ended) is read and dropped until it closes, for at most
     * {@value #LINGER_MILLIS} ms: closing a unix socket with unread input makes the client's read fail with
     * "connection reset by peer" instead of ending cleanly.
     */
    private static void linger(SocketChannel ch) {
        try {
            ch.shutdownOutput();
        } catch (IOException e) {
            return;
        }
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(LINGER_MILLIS);
                ch.close();
            } catch (InterruptedException | IOException e) {
                // done earlier
            }
        }, "jpod-api-linger");
        closer.setDaemon(true);
        closer.start();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
        try {
            while (ch.read(buf) >= 0) {
                buf.clear();
            }
        } catch (IOException e) {
            // closed by the timer
        }
        closer.interrupt();
    }

    private static final long LINGER_MILLIS = 2000;

    private static void malformed(OutputStream out, int status, String message) throws IOException {
        byte[] body = HttpExchange.JSON.writeValueAsBytes(java.util.Map.of("message", message));
        out.write(("HTTP/1.1 " + status + " " + HttpExchange.reason(status) + "\r\nApi-Version: " + HttpExchange.API_VERSION
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }
}
