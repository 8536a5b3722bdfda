import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Run as the socket's owner by MalformedApiRequestsTest (java RawHttpClient.java SOCKET CASES): each line of CASES
 * is a base64 request sent raw on a connection of its own, our side then half-closed; prints one line per case:
 * the response's status code (0: none) and the response, base64.
 */
public class RawHttpClient {
    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            byte[] request = Base64.getDecoder().decode(line.strip());
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer b = ByteBuffer.wrap(request);
                try {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    ch.shutdownOutput();
                } catch (java.io.IOException e) {
                    // the server answered and closed before reading everything: its answer is still there
                }
                ByteBuffer in = ByteBuffer.allocate(65536);
                try {
                    while (ch.read(in) > 0) {
                        response.write(in.array(), 0, in.position());
                        in.clear();
                    }
                } catch (java.io.IOException e) {
                    // reset after the answer
                }
                response.write(in.array(), 0, in.position());
            }
            String text = response.toString(StandardCharsets.ISO_8859_1);
            int status = text.startsWith("HTTP/1.") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : 0;
            System.out.println(status + " " + Base64.getEncoder().encodeToString(response.toByteArray()));
        }
    }
}
