package io.jpod.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a plain-HTTP registry. It records every HTTP/1.1 request line (with its Range
 * header), counts the bytes sent back, and can be armed with ONE fault on the response to a request whose path
 * contains a given string: cut the connection, flip one byte, or hold the response (send nothing more until
 * {@link #disarm()} or {@link #close()}: a transfer stopped in its middle, for as long as a test needs), {@code offset}
 * bytes into the response.
 */
public final class TcpProxy implements AutoCloseable {

    public enum Fault { CUT, FLIP, HOLD }

    /** One request as the client sent it: method, path, and its Range header value (null if none). */
    public record Request(String method, String path, String range) {}

    private final ServerSocket server;
    private final int targetPort;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong downstreamBytes = new AtomicLong();
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile Fault fault;
    private volatile String faultPath;
    private volatile long faultOffset;
    private volatile boolean closed;
    /** Held responses wait on this until {@link #disarm()} or {@link #close()}. */
    private final Object held = new Object();

    private TcpProxy(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
    }

    /** A proxy on 127.0.0.1:&lt;free port&gt; forwarding to 127.0.0.1:{@code targetPort}. */
    public static TcpProxy start(int targetPort) {
        try {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            TcpProxy p = new TcpProxy(s, targetPort);
            Thread t = new Thread(p::acceptLoop, "tcp-proxy-accept");
            t.setDaemon(true);
            t.start();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback", e);
        }
    }

    public String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Arms one fault: the response to the next request whose path contains {@code pathPart} is cut or corrupted at {@code offset}. */
    public void arm(Fault f, String pathPart, long offset) {
        fired.set(false);
        faultPath = pathPart;
        faultOffset = offset;
        fault = f;
    }

    /** No further faults; {@link #faultFired()} keeps telling whether the last one struck. */
    public void disarm() {
        fault = null;
        faultPath = null;
        synchronized (held) {
            held.notifyAll();
        }
    }

    public boolean faultFired() {
        return fired.get();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void clear() {
        requests.clear();
        downstreamBytes.set(0);
    }

    public long downstreamBytes() {
        return downstreamBytes.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                sockets.add(client);
                sockets.add(upstream);
                Connection c = new Connection(client, upstream);
                start("tcp-proxy-up", c::pumpUp);
                start("tcp-proxy-down", c::pumpDown);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private final class Connection {
        final Socket client;
        final Socket upstream;
        /** Downstream byte position at which this connection's fault strikes; -1 when none is armed. */
        volatile long strikeAt = -1;
        long down;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pumpUp() {
            StringBuilder line = new StringBuilder();
            String[] pending = null; // method, path of the request whose headers are being read
            String range = null;
            try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
                byte[] buf = new byte[16 * 1024];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    for (int i = 0; i < n; i++) {
                        char ch = (char) (buf[i] & 0xff);
                        if (ch != '\n') {
                            line.append(ch);
                            continue;
                        }
                        String l = line.toString().strip();
                        line.setLength(0);
                        if (pending == null) {
                            String[] parts = l.split(" ");
                            if (parts.length == 3 && parts[2].startsWith("HTTP/")) {
                                pending = new String[] {parts[0], parts[1]};
                                range = null;
                            }
                        } else if (l.isEmpty()) {
                            requests.add(new Request(pending[0], pending[1], range));
                            Fault f = fault;
                            String fp = faultPath;
                            if (f != null && fp != null && pending[1].contains(fp) && !fired.get() && strikeAt < 0) {
                                synchronized (this) {
                                    strikeAt = down + faultOffset;
                                }
                            }
                            pending = null;
                        } else if (l.regionMatches(true, 0, "Range:", 0, 6)) {
                            range = l.substring(6).strip();
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the other side went away
            } finally {
                closeBoth();
            }
        }

        void pumpDown() {
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                byte[] buf = new byte[16 * 1024];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    long at;
                    synchronized (this) {
                        at = strikeAt;
                    }
                    if (at >= 0 && down + n > at && fired.compareAndSet(false, true)) {
                        int k = (int) (at - down);
                        if (fault == Fault.CUT) {
                            out.write(buf, 0, k);
                            out.flush();
                            downstreamBytes.addAndGet(k);
                            return; // finally closes both sockets: the client sees the connection drop mid-body
                        }
                        if (fault == Fault.HOLD) {
                            out.write(buf, 0, k);
                            out.flush();
                            downstreamBytes.addAndGet(k);
                            synchronized (held) {
                                while (fault == Fault.HOLD && !closed) {
                                    held.wait();
                                }
                            }
                            return; // released: the held connection ends, as a stalled one eventually does
                        }
                        buf[k] ^= 0x01;
                        synchronized (this) {
                            strikeAt = -1;
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    down += n;
                    downstreamBytes.addAndGet(n);
                }
            } catch (IOException ignored) {
                // the other side went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeBoth();
            }
        }

        void closeBoth() {
            quietClose(client);
            quietClose(upstream);
        }
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a proxy socket that is already gone
        }
    }

    /** Request lines (method and path) for diagnostics. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (Request r : requests) {
            out.add(r.method() + " " + r.path() + (r.range() != null ? " Range: " + r.range() : ""));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (held) {
            held.notifyAll();
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        sockets.forEach(TcpProxy::quietClose);
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
