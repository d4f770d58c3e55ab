package dev.caddie.research;

import dev.caddie.ledger.Finding;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.IOException;
import java.io.StringWriter;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Any RSS 2.0 or Atom feed URL (a lab's blog, a newsletter): one query per feed, its entries as findings. */
final class Feeds implements Source {
    private static final Pattern ARXIV = Pattern.compile("arxiv\\.org/(abs|pdf)/(\\d{4}\\.\\d{4,5})");
    private final List<String> urls;
    private final SourceHttp http = new SourceHttp("feed", 1000);

    Feeds(List<String> urls) { this.urls = urls; }

    @Override public String name() { return "feed"; }

    @Override
    public List<Query> queries() { return urls.stream().map(u -> new Query("feed:" + u, u)).toList(); }

    @Override
    public List<Finding> fetch(Query q) throws IOException, InterruptedException {
        Document d = Xml.parse("the feed " + q.text(), http.get(q.text()));
        Element root = d.getDocumentElement();
        List<Finding> out = new ArrayList<>();
        if ("rss".equals(root.getNodeName())) {
            for (Element ch : Xml.children(root, null, "channel"))
                for (Element item : Xml.children(ch, null, "item")) {
                    String title = Xml.text(item, null, "title"), link = Xml.text(item, null, "link"), guid = Xml.text(item, null, "guid");
                    if (title == null || title.isEmpty() || link == null && guid == null) continue; // a broken entry
                    out.add(finding(guid != null ? guid : link, link, title, Xml.text(item, null, "description"), List.of(), date(Xml.text(item, null, "pubDate")), item));
                }
        } else if ("feed".equals(root.getLocalName()) && Xml.ATOM.equals(root.getNamespaceURI())) {
            for (Element e : Xml.children(root, Xml.ATOM, "entry")) {
                String title = Xml.text(e, Xml.ATOM, "title"), id = Xml.text(e, Xml.ATOM, "id");
                String link = null;
                for (Element l : Xml.children(e, Xml.ATOM, "link"))
                    if (link == null || "alternate".equals(l.getAttribute("rel"))) link = l.getAttribute("href");
                if (title == null || title.isEmpty() || id == null && link == null) continue;
                List<String> authors = new ArrayList<>();
                for (Element a : Xml.children(e, Xml.ATOM, "author")) if (Xml.text(a, Xml.ATOM, "name") != null) authors.add(Xml.text(a, Xml.ATOM, "name"));
                String summary = Xml.text(e, Xml.ATOM, "summary");
                if (summary == null) summary = Xml.text(e, Xml.ATOM, "content");
                String when = Xml.text(e, Xml.ATOM, "published");
                out.add(finding(id != null ? id : link, link, title, summary, authors, when != null ? when : Xml.text(e, Xml.ATOM, "updated"), e));
            }
        } else throw new IOException("the feed " + q.text() + " is neither RSS 2.0 nor Atom (<" + root.getNodeName() + ">)");
        out.sort((a, b) -> String.valueOf(b.published()).compareTo(String.valueOf(a.published())));
        return out;
    }

    private Finding finding(String id, String link, String title, String summary, List<String> authors, String published, Element raw) throws IOException {
        Matcher m = ARXIV.matcher((link == null ? "" : link) + " " + (summary == null ? "" : summary));
        return new Finding(0, name(), id, link, title, summary == null ? null : summary.replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").strip(),
                authors, published, m.find() ? m.group(2) : null, null, serialize(raw), null);
    }

    /** RSS dates (RFC 1123) as ISO instants, so that every source's dates compare as text. */
    static String date(String rfc) {
        if (rfc == null) return null;
        try {
            // the weekday is optional, and feeds often get it wrong: it is left out rather than trusted
            return ZonedDateTime.parse(rfc.strip().replaceFirst("^[A-Za-z]{3},\\s*", ""), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toString();
        } catch (java.time.format.DateTimeParseException e) {
            return rfc.strip();
        }
    }

    static String serialize(Node n) throws IOException {
        try {
            var t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter w = new StringWriter();
            t.transform(new DOMSource(n), new StreamResult(w));
            return w.toString();
        } catch (Exception e) {
            throw new IOException("cannot keep the raw entry: " + e.getMessage());
        }
    }
}
