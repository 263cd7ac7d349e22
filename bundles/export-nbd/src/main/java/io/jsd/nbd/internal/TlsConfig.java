package io.jsd.nbd.internal;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server side of a tls-creds-x509 object: {@code dir} holds ca-cert.pem, server-cert.pem and
 * server-key.pem, as for qemu. With verify-peer (qemu's default) clients must present a
 * certificate signed by the CA; with tls-authz (authz-simple) its subject must match the identity.
 */
final class TlsConfig {
    private final SSLContext context;
    private final boolean verifyPeer;
    private final String identity;

    private TlsConfig(SSLContext context, boolean verifyPeer, String identity) {
        this.context = context;
        this.verifyPeer = verifyPeer;
        this.identity = identity;
    }

    static TlsConfig load(Path dir, boolean verifyPeer, String identity) throws IOException, GeneralSecurityException {
        Path ca = dir.resolve("ca-cert.pem");
        Path cert = dir.resolve("server-cert.pem");
        Path key = dir.resolve("server-key.pem");
        for (Path p : new Path[] {cert, key}) {
            if (!Files.isReadable(p)) throw new IOException("Unable to access credentials " + p);
        }
        if (verifyPeer && !Files.isReadable(ca)) throw new IOException("Unable to access credentials " + ca);
        List<X509Certificate> chain = Pem.certificates(cert);
        PrivateKey pk = Pem.privateKey(key);
        char[] pw = new char[0];
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", pk, pw, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        TrustManagerFactory tmf = null;
        if (Files.isReadable(ca)) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (X509Certificate c : Pem.certificates(ca)) ts.setCertificateEntry("ca" + i++, c);
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        javax.net.ssl.TrustManager[] tms = null;
        if (tmf != null) {
            tms = tmf.getTrustManagers();
            for (int i = 0; i < tms.length; i++) {
                if (tms[i] instanceof javax.net.ssl.X509ExtendedTrustManager x) tms[i] = new QuietTrustManager(x);
            }
        }
        ctx.init(kmf.getKeyManagers(), tms, null);
        return new TlsConfig(ctx, verifyPeer, identity);
    }

    /** Upgrades the connection after the NBD_REP_ACK to NBD_OPT_STARTTLS. */
    Wire wrap(SocketChannel ch, Wire plain) throws IOException {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        if (verifyPeer) engine.setNeedClientAuth(true);
        TlsWire w = new TlsWire(ch, engine);
        w.handshake();
        if (identity != null) {
            String dn;
            try {
                X509Certificate peer = (X509Certificate) engine.getSession().getPeerCertificates()[0];
                dn = peer.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
            } catch (SSLPeerUnverifiedException e) {
                throw new IOException("TLS client did not present a certificate for authorization");
            }
            if (!normalise(dn).equals(normalise(identity))) {
                throw new IOException("TLS x509 authz check for " + dn + " is denied");
            }
        }
        return w;
    }

    private static String normalise(String dn) {
        return dn.replaceAll(",\\s+", ",").trim().toLowerCase(java.util.Locale.ROOT);
    }
}
