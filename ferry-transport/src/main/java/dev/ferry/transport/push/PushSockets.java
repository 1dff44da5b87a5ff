package dev.ferry.transport.push;

import dev.ferry.transport.KeyStoreFile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Plain or TLS sockets of the push link, from the same key store files as the HTTP transport. Stateless. */
final class PushSockets {
  private PushSockets() {
  }

  /** Listens on {@code host:port}, TLS only when {@code keyStore} is set. */
  static ServerSocket listen(String host, int port, Optional<KeyStoreFile> keyStore) throws IOException {
    ServerSocket s;
    if (keyStore.isPresent()) {
      try {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore.get().load(), keyStore.get().password().toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        s = ctx.getServerSocketFactory().createServerSocket();
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot use the key store " + keyStore.get() + ": " + e.getMessage(), e);
      }
    } else {
      s = new ServerSocket();
    }
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    return s;
  }

  /** Connects to {@code host:port} within {@code timeout}, TLS with the host name checked when {@code trustStore} is set. */
  static Socket connect(String host, int port, Optional<KeyStoreFile> trustStore, Duration timeout) throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      plain.setTcpNoDelay(true);
      plain.setKeepAlive(true);
      if (trustStore.isEmpty()) {
        return plain;
      }
      return handshake(plain, host, port, trustStore.get(), timeout);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /**
   * TLS over the connected {@code plain} socket, the host name checked. Whatever fails from here on (a
   * certificate not trusted, a peer that does not speak TLS and closes) is an {@link SSLException}, but
   * a peer that does not answer within {@code timeout} (a dead or black-holed link).
   */
  private static Socket handshake(Socket plain, String host, int port, KeyStoreFile trustStore, Duration timeout)
      throws IOException {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore.load());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true);
      javax.net.ssl.SSLParameters params = tls.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(params);
      tls.setSoTimeout((int) timeout.toMillis());
      tls.startHandshake();
      return tls;
    } catch (SSLException | java.net.SocketTimeoutException e) {
      throw e;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new SSLException("TLS to " + host + ":" + port + " failed: " + e.getMessage(), e);
    }
  }
}
