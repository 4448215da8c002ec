package dev.verdict.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A dedicated connection LISTENing on {@link Store#CHANGES_CHANNEL}. It is opened with the driver, not taken
 * from the pool: it is held for as long as the server runs, and a pooled connection would be recycled (and
 * its LISTEN lost) behind our back.
 */
public final class ChangeNotifications implements AutoCloseable {
    private final Connection connection;
    private final PGConnection notifications;

    private ChangeNotifications(Connection connection) throws SQLException {
        this.connection = connection;
        this.notifications = connection.unwrap(PGConnection.class);
    }

    static ChangeNotifications open(Database database) {
        try {
            Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
            try (Statement statement = connection.createStatement()) {
                // The one plain SQL statement of Verdict: jOOQ has no DSL for LISTEN. The channel is a constant.
                statement.execute("LISTEN " + Store.CHANGES_CHANNEL);
            }
            return new ChangeNotifications(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("could not listen for changes: " + e.getMessage(), e);
        }
    }

    /**
     * The payloads ({@code <organization id>:<revision>}) announced since the last call, waiting up to
     * {@code timeoutMillis} for the first one. Fails when the connection is lost.
     */
    public List<String> await(int timeoutMillis) {
        try {
            PGNotification[] received = notifications.getNotifications(Math.max(1, timeoutMillis));
            List<String> payloads = new ArrayList<>();
            if (received != null) {
                for (PGNotification notification : received) {
                    payloads.add(notification.getParameter());
                }
            }
            return payloads;
        } catch (SQLException e) {
            throw new IllegalStateException("lost the change notifications: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing a broken connection: nothing left to release.
        }
    }
}
