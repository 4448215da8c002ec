package dev.verdict.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.verdict.server.domain.DomainException;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the database down, a transaction is UNAVAILABLE after one wait for the pool, not two: jOOQ's
 * transactions over a pool asked it again for a connection to roll back the one it never got.
 */
class StoreWithoutDatabaseTest {
    private static final long POOL_TIMEOUT_MILLIS = 1_500;

    private HikariDataSource pool;
    private Store store;

    @BeforeEach
    void poolOfNothing() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        config.setUsername("postgres");
        config.setConnectionTimeout(POOL_TIMEOUT_MILLIS);
        config.setInitializationFailTimeout(-1);
        pool = new HikariDataSource(config);
        store = new Store(DSL.using(pool, SQLDialect.POSTGRES));
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void aReadIsUnavailableAfterOnePoolTimeoutNotTwo() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.read(db -> db.selectOne().fetch()))
                .isInstanceOf(DomainException.Unavailable.class);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2 * POOL_TIMEOUT_MILLIS);
    }

    @Test
    void aWriteIsUnavailableAfterOnePoolTimeoutNotTwo() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.write(UUID.randomUUID(), w -> w.change("user", "x", "invited")))
                .isInstanceOf(DomainException.Unavailable.class);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2 * POOL_TIMEOUT_MILLIS);
    }
}
