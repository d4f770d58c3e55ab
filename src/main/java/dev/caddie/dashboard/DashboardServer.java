package dev.caddie.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * `caddie dashboard`: the ledger in a browser, read-only, on Javalin (Jetty on virtual threads). Pages are one HTML
 * shell each, rendered by dashboard.js from the /api/ endpoints, which a script can read as they are; the page polls
 * /api/version each second and re-renders when the ledger changed. On loopback no token is needed; on any other
 * address a token is required on every request (Bearer header, or ?token= once, kept in an HttpOnly cookie), and it
 * never appears in a page or a log.
 */
public final class DashboardServer implements AutoCloseable {
    static final String COOKIE = "caddie_token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

    private final DashboardData data;
    private final byte[] token;
    private final Javalin app;

    /**
     * @param token null on loopback without one; required when host is not a loopback address
     */
    public DashboardServer(DashboardData data, String host, int port, String token) throws IOException {
        if (!loopback(host) && (token == null || token.isBlank()))
            throw new IllegalArgumentException("the dashboard binds to " + host + ", which is not loopback: set a token first (--token-env NAME, "
                    + "default CADDIE_DASHBOARD_TOKEN), or bind to 127.0.0.1 and reach it through an SSH tunnel");
        this.data = data;
        this.token = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.before(this::guard);
            for (String page : new String[]{"overview", "experiments", "charts", "research"})
                config.routes.get(page.equals("overview") ? "/" : "/" + page, ctx -> page(ctx, page, null));
            config.routes.get("/experiments/{id}", ctx -> page(ctx, "candidate", ctx.pathParam("id")));
            config.routes.get("/api/version", ctx -> json(ctx, JSON.createObjectNode().put("version", data.version())));
            config.routes.get("/api/overview", ctx -> json(ctx, data.overview(tag(ctx))));
            config.routes.get("/api/experiments", ctx -> {
                int[] total = new int[1];
                int limit = ctx.queryParam("limit") == null ? 1000 : (int) Math.min(10_000, id(ctx.queryParam("limit"))); // a page is at most 10,000 rows (about 3 MB)
                var rows = data.experiments(tag(ctx), ctx.queryParam("verdict"), ctx.queryParam("proposer"), ctx.queryParam("tier"), ctx.queryParam("sort"), limit, total);
                ctx.header("X-Total-Count", String.valueOf(total[0]));
                json(ctx, rows);
            });
            config.routes.get("/api/experiments/{id}", ctx -> {
                var c = data.candidate(id(ctx.pathParam("id")));
                if (c.isEmpty()) notFound(ctx, "no candidate " + ctx.pathParam("id"));
                else json(ctx, c.get());
            });
            config.routes.get("/api/runs/{id}/log", ctx -> json(ctx, data.log(id(ctx.pathParam("id")), ctx.queryParam("from") == null ? 0 : id(ctx.queryParam("from")))));
            config.routes.get("/api/charts", ctx -> json(ctx, data.charts(tag(ctx))));
            config.routes.get("/api/research", ctx -> json(ctx, data.research()));
            config.routes.get("/assets/uplot.js", asset(UPLOT + "uPlot.iife.min.js", "text/javascript"));
            config.routes.get("/assets/uplot.css", asset(UPLOT + "uPlot.min.css", "text/css"));
            config.routes.get("/assets/dashboard.js", asset("/dev/caddie/dashboard/dashboard.js", "text/javascript"));
            config.routes.get("/assets/dashboard.css", asset("/dev/caddie/dashboard/dashboard.css", "text/css"));
            config.routes.exception(IllegalArgumentException.class, (e, ctx) -> notFound(ctx, e.getMessage()));
        }).start(host, port);
    }

    public int port() { return app.port(); }

    @Override
    public void close() { app.stop(); }

    public static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** Every request: no token configured (loopback) passes; else the Bearer header, the cookie, or ?token= once. */
    private void guard(Context ctx) {
        if (token == null) return;
        String given = null;
        String auth = ctx.header("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) given = auth.substring(7).strip();
        if (given == null) given = ctx.cookie(COOKIE);
        String query = ctx.queryParam("token");
        if (given == null && query != null) given = query;
        if (given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token)) {
            if (query != null) {
                // kept in an HttpOnly cookie and taken out of the address bar, so it is in no history and no page
                ctx.header("Set-Cookie", COOKIE + "=" + query + "; HttpOnly; SameSite=Strict; Path=/");
                ctx.redirect(ctx.path());
                ctx.skipRemainingHandlers();
            }
            return;
        }
        ctx.status(401).contentType("text/plain; charset=utf-8").result("401: this dashboard needs its token (Authorization: Bearer, or open it once with ?token=)");
        ctx.skipRemainingHandlers();
    }

    private static String tag(Context ctx) { return ctx.queryParam("tag") == null || ctx.queryParam("tag").isBlank() ? null : ctx.queryParam("tag"); }

    private static long id(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an id (a whole number)");
        }
    }

    private static void json(Context ctx, Object node) throws IOException {
        ctx.contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(node));
    }

    private static void notFound(Context ctx, String why) {
        ctx.status(404).contentType("application/json; charset=utf-8").result(JSON.createObjectNode().put("error", why).toString());
    }

    private void page(Context ctx, String page, String id) throws IOException {
        String shell = resource("/dev/caddie/dashboard/page.html").replace("{{PAGE}}", page).replace("{{ID}}", id == null ? "" : id.replaceAll("[^0-9]", ""))
                .replace("{{TASK}}", escape(data.taskName()));
        ctx.contentType("text/html; charset=utf-8").result(shell);
    }

    private static Handler asset(String path, String type) {
        byte[] body;
        try (InputStream in = DashboardServer.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing dashboard asset " + path);
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return ctx -> ctx.contentType(type + "; charset=utf-8").header("Cache-Control", "max-age=3600").result(body);
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
