package io.jpod.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-user service: one long-lived JVM per user (started by the native client inside the user's namespaces,
 * through the launcher, like any jpod command), listening on {@code $XDG_RUNTIME_DIR/jpod/service.sock} (0600 in
 * the 0700 run-time directory). Every connection is one command, on a pooled thread (many at once); a peer
 * whose uid (SO_PEERCRED) is not the socket owner's is refused; a client of another jpod build makes the service
 * stop listening and exit once its commands are done, so that the client can start its own (so does a request
 * that finds the user's pause process gone: a new one means a new user namespace). It exits after
 * {@code idle} without a command.
 */
final class Service {
    static final String SOCKET_NAME = "service.sock";

    private final Path socket;
    private final Duration idle;
    private final PrintStream log;
    private final AtomicInteger active = new AtomicInteger();
    private volatile long lastDone = System.nanoTime();
    private volatile boolean stopping;
    private ServerSocketChannel server;
    private FileLock lock;
    private Object socketKey;

    /** The Docker-compatible API served beside the jpod protocol (null: none). */
    private final io.jpod.cli.api.DockerApi dockerApi;
    private volatile io.jpod.cli.api.ApiServer apiServer;

    Service(Path socket, Duration idle, PrintStream log, io.jpod.cli.api.DockerApi dockerApi) {
        this.socket = socket;
        this.idle = idle;
        this.log = log;
        this.dockerApi = dockerApi;
    }

    /** Where the auto-started service serves the Docker-compatible API: beside its own socket. */
    static Path dockerSocket(Path serviceSocket) {
        return serviceSocket.resolveSibling(io.jpod.cli.api.DockerApiService.SOCKET_NAME);
    }

    /** Requests of the Docker API count as activity for the idle exit like commands do. */
    io.jpod.cli.api.ApiServer.Activity activity() {
        return new io.jpod.cli.api.ApiServer.Activity() {
            @Override
            public void begin() {
                active.incrementAndGet();
            }

            @Override
            public void end() {
                lastDone = System.nanoTime();
                synchronized (active) {
                    active.decrementAndGet();
                    active.notifyAll();
                }
            }
        };
    }

    /** The build a client must match: the distribution's build id and where it lives. */
    static String buildId() {
        String home = System.getProperty("jpod.home", "");
        try {
            Path dist = Path.of(home).toRealPath();
            return Files.readString(dist.resolve("lib/jpod-build-id")).strip() + "@" + dist;
        } catch (IOException e) {
            return "unknown@" + home;
        }
    }

    /**
     * Threads for requests, reused: a new thread for every command cost more than the handshake. As many at once
     * as there are requests (a foreground `run` holds its thread for as long as the container runs); an idle
     * thread ends after a minute.
     */
    static java.util.concurrent.ExecutorService threads(String name) {
        return java.util.concurrent.Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true); // the service exits once serve() has waited for its commands
            return t;
        });
    }

    private final java.util.concurrent.ExecutorService requests = threads("jpod-service-request");

    int serve() {
        String build = buildId();
        String umask = ownUmask();
        try {
            Files.createDirectories(socket.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            FileChannel lockFile = FileChannel.open(socket.resolveSibling("service.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockFile.tryLock();
            if (lock == null) {
                lockFile.close();
                return 0; // another service of this user is starting or running: the client will find it
            }
            Files.deleteIfExists(socket); // a dead service's
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            socketKey = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            throw new io.jpod.engine.EngineException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        UserPrincipal owner;
        try {
            owner = Files.getOwner(socket);
        } catch (IOException e) {
            throw new io.jpod.engine.EngineException("cannot read the owner of " + socket + ": " + e.getMessage(), e);
        }
        log.println("jpod service: listening on " + socket + " (build " + build + ", pid " + ProcessHandle.current().pid() + ")");
        if (dockerApi != null) {
            io.jpod.cli.api.ApiServer api = new io.jpod.cli.api.ApiServer(dockerSocket(socket), dockerApi, log, activity());
            try {
                api.start();
                apiServer = api;
                log.println("jpod service: Docker API on " + api.socket());
            } catch (IOException e) {
                log.println("jpod service: cannot serve the Docker API on " + api.socket() + ": " + e.getMessage());
            }
        }
        if (idle != null) {
            Thread watcher = new Thread(this::exitWhenIdle, "jpod-service-idle");
            watcher.setDaemon(true);
            watcher.start();
        }
        while (!stopping) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                log.println("jpod service: accept: " + e.getMessage());
                continue;
            }
            active.incrementAndGet();
            requests.execute(() -> {
                try {
                    handle(ch, owner, build, umask);
                    warmUpOnce();
                } finally {
                    Thread.interrupted(); // the pooled thread's next request starts uninterrupted
                    lastDone = System.nanoTime();
                    synchronized (active) {
                        active.decrementAndGet();
                        active.notifyAll();
                    }
                }
            });
        }
        synchronized (active) { // commands under way finish (a foreground container may run for long)
            while (active.get() > 0) {
                try {
                    active.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        log.println("jpod service: exiting");
        return 0;
    }

    private final java.util.concurrent.atomic.AtomicBoolean warmedUp = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * After the first request has been answered (its client no longer waits), binds what later requests then use
     * in-process instead of starting a process: the kernel overlay driver's mount(2)/umount2(2) (a cold JVM keeps the
     * helper process, cheaper there than binding).
     */
    private void warmUpOnce() {
        if (warmedUp.compareAndSet(false, true)) {
            try {
                io.jpod.storage.KernelOverlayDriver.bindSystemCalls();
            } catch (RuntimeException | LinkageError e) {
                log.println("jpod service: the overlay driver keeps its helper process: " + e);
            }
        }
    }

    private void handle(SocketChannel ch, UserPrincipal owner, String build, String umask) {
        ServiceRequest request = new ServiceRequest(ch);
        try {
            jdk.net.UnixDomainPrincipal credentials = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
            UserPrincipal peer = credentials.user();
            if (!peer.getName().equals(owner.getName())) {
                // another host uid shows as unmapped (nobody) in this user namespace
                request.send(ServiceFrames.REFUSED, "the jpod service of this user accepts requests only from its own user, not from "
                        + peer.getName());
                return;
            }
            ServiceFrames.Frame hello = ServiceFrames.read(request.in());
            if (hello == null || hello.type() != ServiceFrames.VERSION) {
                return;
            }
            if (!hello.text().equals(build)) {
                stop(); // the socket is free for the client's own service before it hears why
                request.send(ServiceFrames.OTHER_BUILD, build);
                log.println("jpod service: a client of build " + hello.text() + " replaces this service");
                return;
            }
            if (!inPauseNamespace()) {
                // the pause process was killed: the client's helpers would run in a new user namespace, not ours
                stop();
                request.send(ServiceFrames.OTHER_BUILD, build);
                log.println("jpod service: the pause process is gone; a new service replaces this one");
                return;
            }
            request.send(ServiceFrames.SAME_BUILD, build);
            request.peer(credentials);
            request.run(umask);
        } catch (IOException | RuntimeException e) {
            log.println("jpod service: request: " + e);
        } finally {
            request.close();
        }
    }

    /** Stops listening (the socket is removed and the lock released); commands under way go on. */
    private synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        if (apiServer != null) {
            apiServer.close(); // a new service binds its own
        }
        try {
            Object key = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (key != null && key.equals(socketKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            // gone already
        }
        try {
            server.close();
            lock.channel().close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Quiet this long, the service gives back the heap its last requests grew (see {@link #exitWhenIdle}). */
    private static final long SHRINK_AFTER_NANOS = Duration.ofSeconds(10).toNanos();

    private void exitWhenIdle() {
        long step = Math.max(100, Math.min(1000, idle.toMillis() / 4));
        long shrunkAfter = lastDone - 1;
        while (!stopping) {
            try {
                Thread.sleep(step);
            } catch (InterruptedException e) {
                return;
            }
            long done = lastDone;
            if (active.get() == 0 && done != shrunkAfter && System.nanoTime() - done >= SHRINK_AFTER_NANOS) {
                // once per quiet spell: the serial collector shrinks the heap only in a full collection
                // (MaxHeapFreeRatio, set by the launcher for the service), so an idle service holds its live set
                // rather than its busiest moment's heap
                shrunkAfter = done;
                System.gc();
            }
            if (active.get() == 0 && System.nanoTime() - lastDone >= idle.toNanos()) {
                synchronized (this) {
                    if (active.get() == 0) {
                        stop();
                    }
                }
            }
        }
    }

    private volatile Path ownUserNamespace;

    /** Whether the user's pause process (pause.pid beside the socket) holds the user namespace this JVM is in. */
    private boolean inPauseNamespace() {
        try {
            String pid = Files.readString(socket.resolveSibling("pause.pid")).strip();
            if (ownUserNamespace == null) {
                ownUserNamespace = Files.readSymbolicLink(Path.of("/proc/self/ns/user")); // a process never leaves its own
            }
            return Files.readSymbolicLink(Path.of("/proc", pid, "ns", "user")).equals(ownUserNamespace);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** This process's umask ("0022"), from /proc/self/status. */
    static String ownUmask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return line.substring(6).strip();
                }
            }
        } catch (IOException e) {
            // no /proc: every request goes in-process
        }
        return "?";
    }
}
