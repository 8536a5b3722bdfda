package io.jpod.tests.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A docker token server (the distribution "token" auth scheme) for one user: it checks HTTP basic credentials and
 * answers with an RS256 JWT granting what the scope asks for, signed by a key whose self-signed certificate (made
 * with the JDK's keytool) is the registry's {@code rootcertbundle} and travels in the token's {@code x5c} header.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "jpod-test-registry";
    public static final String ISSUER = "jpod-test-token-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Path dir;
    private final PrivateKey key;
    private final Certificate cert;
    private final String user;
    private final String password;
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    private TokenServer(Path dir, PrivateKey key, Certificate cert, String user, String password) throws IOException {
        this.dir = dir;
        this.key = key;
        this.cert = cert;
        this.user = user;
        this.password = password;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/token", ex -> {
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            byte[] body;
            int status;
            if (!expected.equals(auth)) {
                status = 401;
                body = "{\"details\":\"invalid credentials\"}".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                String scope = query.getOrDefault("scope", "");
                scopes.add(scope);
                String jwt = jwt(scope);
                body = ("{\"token\":\"" + jwt + "\",\"access_token\":\"" + jwt + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public static TokenServer start(String user, String password) {
        try {
            Path dir = Files.createTempDirectory("jpod-token-");
            Path ks = dir.resolve("key.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "jpod", "-keyalg", "RSA", "-keysize", "2048",
                    "-dname", "CN=jpod-test-token", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
                    "-storepass", "changeit", "-keypass", "changeit")
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool failed: " + new String(out, StandardCharsets.UTF_8));
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                store.load(in, "changeit".toCharArray());
            }
            PrivateKey key = (PrivateKey) store.getKey("jpod", "changeit".toCharArray());
            Certificate cert = store.getCertificate("jpod");
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            Files.writeString(dir.resolve("root.pem"), pem);
            // the registry runs as root, but be explicit that these files are readable
            dir.toFile().setReadable(true, false);
            dir.resolve("root.pem").toFile().setReadable(true, false);
            return new TokenServer(dir, key, cert, user, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The registry's {@code auth:} section for this server. */
    public String registryConfig() {
        return """
                auth:
                  token:
                    realm: http://127.0.0.1:%d/token
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(server.getAddress().getPort(), SERVICE, ISSUER, dir.resolve("root.pem"));
    }

    /** Scopes of the tokens handed out so far. */
    public List<String> scopes() {
        return List.copyOf(scopes);
    }

    private String jwt(String scope) {
        try {
            ObjectNode header = JSON.createObjectNode();
            header.put("typ", "JWT").put("alg", "RS256");
            header.putArray("x5c").add(Base64.getEncoder().encodeToString(cert.getEncoded()));
            long now = Instant.now().getEpochSecond();
            ObjectNode claims = JSON.createObjectNode();
            claims.put("iss", ISSUER).put("sub", user).put("aud", SERVICE).put("exp", now + 300).put("nbf", now - 60)
                    .put("iat", now - 60).put("jti", UUID.randomUUID().toString());
            var access = claims.putArray("access");
            // scope: repository:NAME:ACTIONS (one or more, space-separated)
            for (String s : scope.split(" ")) {
                String[] parts = s.split(":");
                if (parts.length >= 3) {
                    var a = access.addObject().put("type", parts[0]).put("name", String.join(":", java.util.Arrays.copyOfRange(parts, 1, parts.length - 1)));
                    var actions = a.putArray("actions");
                    for (String act : parts[parts.length - 1].split(",")) {
                        actions.add(act);
                    }
                }
            }
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "." + b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initSign(key);
            sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(sig.sign());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                // a repeated parameter (scope, for a cross-repository mount) is joined with spaces, as scopes are
                m.merge(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8),
                        (a, b) -> a + " " + b);
            }
        }
        return m;
    }

    @Override
    public void close() {
        server.stop(0);
        LocalRegistry.deleteTree(dir);
    }
}
