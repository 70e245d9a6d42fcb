package io.spotsh.registry;

import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A machine in the middle, on loopback, for phone-home's TLS tests. {@link #relay} passes bytes through to the
 * real registry unchanged (from an address the registry's certificate does not name); {@link #impostor} answers
 * PostgreSQL's SSLRequest itself and terminates TLS with a certificate of its own, from another CA.
 */
final class LoopbackProxy implements AutoCloseable {
    /** PostgreSQL's SSLRequest and GSSENCRequest codes (the length-8 packets before a startup message). */
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;

    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private interface Handler {
        void handle(Socket client) throws IOException;
    }

    private LoopbackProxy(String address, Handler handler) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getByName(address));
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket client = listener.accept();
                    sockets.add(client);
                    Thread worker = new Thread(() -> {
                        try {
                            handler.handle(client);
                        } catch (IOException e) {
                            // the client hung up (as it should once the certificate fails)
                        } finally {
                            closeQuietly(client);
                        }
                    });
                    worker.setDaemon(true);
                    worker.start();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "loopback-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Forwards every connection to {@code port} on 127.0.0.1, byte for byte, listening on {@code address}. */
    static LoopbackProxy relay(String address, int port) throws IOException {
        return new LoopbackProxy(address, client -> {
            try (Socket upstream = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                Thread back = new Thread(() -> pump(upstream, client));
                back.setDaemon(true);
                back.start();
                pump(client, upstream);
            }
        });
    }

    /** Poses as a PostgreSQL server with TLS: the certificate and key in {@code tls} (another CA's). */
    static LoopbackProxy impostor(RegistryTls tls) throws Exception {
        PrivateKey key;
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(tls.serverKey())))) {
            key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
        Certificate cert = RegistryTls.readCertificate(tls.serverCertificate());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, new char[0], new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return new LoopbackProxy("127.0.0.1", client -> {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            while (true) {
                int length = in.readInt();
                int code = in.readInt();
                if (length == 8 && code == GSSENC_REQUEST) {
                    out.write('N');
                    out.flush();
                } else if (length == 8 && code == SSL_REQUEST) {
                    out.write('S');
                    out.flush();
                    break;
                } else {
                    return;  // a client not asking for TLS: nothing to pose with
                }
            }
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(client, null, true);
            ssl.setUseClientMode(false);
            ssl.startHandshake();  // the client checks our certificate here and hangs up
            ssl.getInputStream().read();
        });
    }

    int port() {
        return listener.getLocalPort();
    }

    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side hung up
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
