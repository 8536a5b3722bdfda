package io.jpod.cli;

import io.jpod.engine.container.ProcessHost;
import io.jpod.rootless.NativeHelper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One connection of the per-user service: one command of one native client. Everything the command depends on
 * comes from the client (argv, environment, working directory, umask); its output goes back in frames; the
 * processes that need the caller's terminal (a container's monitor, `exec`, the attach client) are handed to the
 * client to run as its own children ({@link #start}), which reports their pid and status back.
 */
final class ServiceRequest implements ProcessHost {
    /** what a queue holds once the client has gone away */
    private static final long GONE = Long.MIN_VALUE;
    /** the threads that read a client's frames while its command runs, reused across requests */
    private static final java.util.concurrent.ExecutorService READERS = Service.threads("jpod-service-reader");

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final LinkedBlockingQueue<Long> pids = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Long> statuses = new LinkedBlockingQueue<>();
    private volatile boolean clientGone;
    private volatile boolean handingOver;
    private volatile boolean answering;
    private volatile String cwd = "/";
    private volatile String umask;
    private volatile io.jpod.engine.RequestContext.Terminal terminal = io.jpod.engine.RequestContext.Terminal.NONE;
    /** the peer's user and group names by SO_PEERCRED (as this user namespace names them) */
    private volatile java.nio.file.attribute.UserPrincipal peerUser;
    private volatile java.nio.file.attribute.GroupPrincipal peerGroup;
    private Thread worker;

    ServiceRequest(SocketChannel channel) {
        this.channel = channel;
        // buffered: the client sends the whole request in one write, read here with one read, not three a frame
        this.in = new java.io.BufferedInputStream(Channels.newInputStream(channel));
        this.out = Channels.newOutputStream(channel);
    }

    /** The caller's working directory (a command that resolves the caller's relative paths reads it). */
    String cwd() {
        return cwd;
    }

    InputStream in() {
        return in;
    }

    /** The caller's umask as the client sent it (e.g. 022), null when it did not. */
    Integer umask() {
        try {
            return umask == null ? null : Integer.parseInt(umask.strip(), 8);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The caller's terminal as the client described it. */
    io.jpod.engine.RequestContext.Terminal terminal() {
        return terminal;
    }

    /** The connection's peer, by SO_PEERCRED (Service checked it is the socket's owner). */
    void peer(jdk.net.UnixDomainPrincipal principal) {
        peerUser = principal.user();
        peerGroup = principal.group();
    }

    /** The caller's uid by SO_PEERCRED, -1 when unknown. */
    long uid() {
        return peerUser == null ? -1 : CallerIds.id(peerUser.getName(), java.nio.file.Path.of("/etc/passwd"));
    }

    /** The caller's gid by SO_PEERCRED, -1 when unknown. */
    long gid() {
        return peerGroup == null ? -1 : CallerIds.id(peerGroup.getName(), java.nio.file.Path.of("/etc/group"));
    }

    void send(byte type, String text) throws IOException {
        synchronized (out) {
            ServiceFrames.write(out, type, text);
        }
    }

    /**
     * Reads the request after the handshake and runs it; returns when the client has its exit code.
     * {@code serviceUmask}: a request from a caller with another umask runs in the client's own JVM instead.
     */
    void run(String serviceUmask) throws IOException {
        List<String> args = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        String cwd = "/";
        String umask = null;
        String clientPid = null;
        for (ServiceFrames.Frame f; (f = ServiceFrames.read(in)) != null; ) {
            switch (f.type()) {
                case ServiceFrames.ARG -> args.add(f.text());
                case ServiceFrames.ENV -> {
                    String e = f.text();
                    int eq = e.indexOf('=');
                    if (eq > 0) {
                        env.put(e.substring(0, eq), e.substring(eq + 1));
                    }
                }
                case ServiceFrames.CWD -> {
                    cwd = f.text();
                    this.cwd = cwd;
                }
                case ServiceFrames.UMASK -> {
                    umask = f.text();
                    this.umask = umask;
                }
                case ServiceFrames.TERMINAL -> terminal = CallerIds.terminal(f.text());
                case ServiceFrames.CLIENT_PID -> clientPid = f.text().strip();
                case ServiceFrames.GO -> {
                    execute(args.toArray(String[]::new), env, cwd, umask, serviceUmask, clientPid);
                    return;
                }
                default -> throw new IOException("unexpected frame '" + (char) f.type() + "' from the client");
            }
        }
    }

    private void execute(String[] args, Map<String, String> env, String cwd, String umask, String serviceUmask, String clientPid)
            throws IOException {
        // helpers (slirp4netns, pasta, fuse-overlayfs, credential helpers, newuidmap) are found on the request's PATH,
        // but the files this JVM creates get its own umask (one per process), and cgroup detection starts from this
        // JVM's cgroups: a caller with another umask or in other cgroups runs in a JVM of its own
        if (!(ServiceRouting.servable(args, cwd) || Main.answersWithoutRunning(args, env)) || umask == null || !umask.equals(serviceUmask)
                || !sameCgroups(clientPid)) {
            send(ServiceFrames.FALLBACK, "");
            return;
        }
        worker = Thread.currentThread();
        READERS.execute(this::readWhileRunning);
        PrintStream stdout = new PrintStream(new FrameOutput(ServiceFrames.OUT), true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(new FrameOutput(ServiceFrames.ERR), true, StandardCharsets.UTF_8);
        int code = Main.run(args, env, stdout, stderr, this);
        stdout.flush();
        stderr.flush();
        synchronized (this) { // the client leaves once it has the code: that end must not interrupt us (nor, later, this pooled thread's next request)
            answering = true;
        }
        Thread.interrupted(); // an interrupt meant for the command must not stop the answer
        send(ServiceFrames.EXIT, Integer.toString(code));
        CommandModels.prepareNext(args); // the client has its answer: the next request of this command finds its model ready
    }

    /** Whether the client (by the pid it sent) is in the same cgroups as this JVM. */
    private static boolean sameCgroups(String clientPid) {
        if (clientPid == null || !clientPid.matches("\\d+")) {
            return false;
        }
        try {
            return Files.readString(Path.of("/proc", clientPid, "cgroup")).equals(Files.readString(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            return false;
        }
    }

    /** The client's frames while its command runs: pids and statuses of handed-over processes, or its end. */
    private void readWhileRunning() {
        try {
            for (ServiceFrames.Frame f; (f = ServiceFrames.read(in)) != null; ) {
                switch (f.type()) {
                    case ServiceFrames.PID -> pids.add(Long.parseLong(f.text().strip()));
                    case ServiceFrames.STATUS -> statuses.add(Long.parseLong(f.text().strip()));
                    default -> { } // nothing else is sent while a command runs
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the client is gone or broken: as at its end
        }
        clientGone = true;
        pids.add(GONE);
        statuses.add(GONE);
        synchronized (this) {
            if (!handingOver && !answering && worker != null) {
                worker.interrupt(); // e.g. `logs -f` whose client was ^C'd: stop following
            }
        }
    }

    /** 'i': the caller's own stream, 'n': /dev/null, '?': anything else (a file: the service runs it itself). */
    private static char stream(ProcessBuilder.Redirect r) {
        if (r == ProcessBuilder.Redirect.INHERIT) {
            return 'i';
        }
        return r.file() != null && r.file().getPath().equals("/dev/null") ? 'n' : '?';
    }

    @Override
    public Process start(ProcessBuilder pb, SignalProxy signals, NativeHelper helper) throws IOException {
        // each of stdin, stdout, stderr: the caller's own (i) or /dev/null (n), e.g. run --attach stderr
        String streams = "" + stream(pb.redirectInput()) + stream(pb.redirectOutput()) + stream(pb.redirectError());
        if (streams.indexOf('?') >= 0 || streams.equals("nnn")) {
            return pb.start(); // no terminal involved (e.g. a health check's output to a file): the service's own child
        }
        if (clientGone) {
            throw new IOException("the jpod client went away");
        }
        List<String> items = new ArrayList<>();
        items.add(streams);
        items.add(signals.name());
        items.add(Integer.toString(pb.command().size()));
        items.addAll(pb.command());
        Map<String, String> own = System.getenv();
        pb.environment().forEach((k, v) -> {
            if (!v.equals(own.get(k))) {
                items.add(k + "=" + v); // what the engine added for this process (the client has the caller's own)
            }
        });
        byte[] payload = ServiceFrames.strings(items);
        pids.clear();
        statuses.clear();
        handingOver = true;
        synchronized (out) {
            ServiceFrames.write(out, ServiceFrames.PROCESS, payload, 0, payload.length);
        }
        long pid;
        try {
            pid = pids.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the client started " + pb.command().get(0));
        }
        if (pid == GONE) {
            throw new IOException("the jpod client went away");
        }
        if (pid <= 0) {
            throw new IOException("the jpod client could not start " + pb.command().get(0));
        }
        return new ClientProcess(pid);
    }

    /** A process the client runs for us: its status comes in a frame; destroy() asks the client to signal it. */
    private final class ClientProcess extends Process {
        private final long pid;
        private Long status;

        ClientProcess(long pid) {
            this.pid = pid;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public int waitFor() throws InterruptedException {
            synchronized (this) {
                if (status != null) {
                    return status.intValue();
                }
            }
            return settle(statuses.take());
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            synchronized (this) {
                if (status != null) {
                    return true;
                }
            }
            Long s = statuses.poll(timeout, unit);
            if (s == null) {
                return false;
            }
            settle(s);
            return true;
        }

        private int settle(long s) {
            if (s == GONE) {
                statuses.add(GONE);
                // the client died: its child lives on (reparented); the container's teardown waits for it
                ProcessHandle.of(pid).ifPresent(ph -> ph.onExit().join());
                s = 137;
            }
            synchronized (this) {
                status = s;
            }
            handingOver = false;
            return (int) s;
        }

        @Override
        public synchronized int exitValue() {
            if (status == null) {
                throw new IllegalThreadStateException("process " + pid + " has not exited");
            }
            return status.intValue();
        }

        @Override
        public boolean isAlive() {
            synchronized (this) {
                return status == null && !clientGone;
            }
        }

        @Override
        public void destroy() {
            signal(15);
        }

        @Override
        public Process destroyForcibly() {
            signal(9);
            return this;
        }

        private void signal(int sig) {
            try {
                send(ServiceFrames.SIGNAL, Integer.toString(sig));
            } catch (IOException e) {
                ProcessHandle.of(pid).ifPresent(sig == 9 ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
            }
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public InputStream getInputStream() {
            return InputStream.nullInputStream();
        }

        @Override
        public InputStream getErrorStream() {
            return InputStream.nullInputStream();
        }
    }

    /** A command's stdout or stderr: every write is one frame at once (progress lines end in \r, not \n). */
    private final class FrameOutput extends OutputStream {
        private final byte type;

        FrameOutput(byte type) {
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (clientGone) {
                throw new IOException("the jpod client went away");
            }
            for (int done = 0; done < len; ) {
                int n = Math.min(len - done, 64 * 1024);
                synchronized (out) {
                    ServiceFrames.write(out, type, b, off + done, n);
                }
                done += n;
            }
        }
    }

    void close() {
        synchronized (this) {
            worker = null; // this thread serves other requests next: the reader must not interrupt it
        }
        try {
            channel.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
