package dev.caddie.research;

import dev.caddie.ledger.Finding;
import dev.caddie.task.ResearchSettings;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * arXiv's API (Atom 1.0): one query per keyword, limited to the configured categories, newest submissions first,
 * a request every three seconds as arXiv asks. The wire format lives here alone.
 */
final class ArxivSource implements Source {
    private static final Pattern ID = Pattern.compile("arxiv\\.org/abs/([^v\\s]+?)(v\\d+)?$");
    private final ResearchSettings settings;
    private final SourceHttp http;

    ArxivSource(ResearchSettings settings) {
        this.settings = settings;
        this.http = new SourceHttp("arXiv", settings.arxivIntervalMs());
    }

    @Override public String name() { return "arxiv"; }

    @Override
    public List<Query> queries() {
        List<Query> out = new ArrayList<>();
        for (String k : settings.keywords()) {
            String phrase = k.contains(" ") ? "\"" + k + "\"" : k;
            String q = "(ti:" + phrase + " OR abs:" + phrase + ")";
            if (!settings.categories().isEmpty())
                q = "(" + String.join(" OR ", settings.categories().stream().map(c -> "cat:" + c).toList()) + ") AND " + q;
            out.add(new Query("arxiv:" + k, q));
        }
        return out;
    }

    @Override
    public List<Finding> fetch(Query q) throws IOException, InterruptedException {
        String url = settings.arxivApi() + "?search_query=" + URLEncoder.encode(q.text(), StandardCharsets.UTF_8)
                + "&start=0&max_results=" + settings.maxResults() + "&sortBy=submittedDate&sortOrder=descending";
        Document d = Xml.parse("arXiv", http.get(url));
        Element feed = d.getDocumentElement();
        if (!"feed".equals(feed.getLocalName()) || !Xml.ATOM.equals(feed.getNamespaceURI()))
            throw new IOException("arXiv answered XML that is no Atom feed (<" + feed.getNodeName() + ">)");
        List<Finding> out = new ArrayList<>();
        for (Element e : Xml.children(feed, Xml.ATOM, "entry")) {
            String id = Xml.text(e, Xml.ATOM, "id"), title = Xml.text(e, Xml.ATOM, "title");
            // arXiv reports a bad query as a feed with one entry titled "Error"
            if ("Error".equals(title) && id != null && id.contains("api/errors"))
                throw new IOException("arXiv refused the query " + q.text() + ": " + Xml.text(e, Xml.ATOM, "summary"));
            if (id == null || title == null) continue; // a broken entry is skipped, not the feed
            Matcher m = ID.matcher(id);
            String arxivId = m.find() ? m.group(1) : null;
            List<String> authors = new ArrayList<>();
            for (Element a : Xml.children(e, Xml.ATOM, "author")) {
                String n = Xml.text(a, Xml.ATOM, "name");
                if (n != null) authors.add(n);
            }
            String link = id;
            for (Element l : Xml.children(e, Xml.ATOM, "link")) if ("alternate".equals(l.getAttribute("rel"))) link = l.getAttribute("href");
            out.add(new Finding(0, name(), id, link, title, Xml.text(e, Xml.ATOM, "summary"), authors, Xml.text(e, Xml.ATOM, "published"),
                    arxivId, Xml.text(e, Xml.ARXIV, "doi"), Feeds.serialize(e), null));
        }
        return out;
    }
}
