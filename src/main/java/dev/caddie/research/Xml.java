package dev.caddie.research;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Namespace-aware XML for feeds, with no DTDs or external entities (a feed is input from the network). */
final class Xml {
    static final String ATOM = "http://www.w3.org/2005/Atom", ARXIV = "http://arxiv.org/schemas/atom";

    private Xml() {}

    static Document parse(String what, String body) throws IOException {
        String head = body.stripLeading();
        if (head.regionMatches(true, 0, "<!doctype html", 0, 14) || head.regionMatches(true, 0, "<html", 0, 5))
            throw new IOException(what + " answered an HTML page, not a feed (a login wall, an error page or the wrong URL)");
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IOException(what + " answered XML that does not parse: " + e.getMessage());
        }
    }

    /** Child elements with this namespace and local name (any namespace when ns is null). */
    static List<Element> children(Element parent, String ns, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            Node n = nl.item(i);
            if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getNodeName())
                    && (ns == null || ns.equals(e.getNamespaceURI()))) out.add(e);
        }
        return out;
    }

    static String text(Element parent, String ns, String name) {
        List<Element> c = children(parent, ns, name);
        return c.isEmpty() ? null : c.get(0).getTextContent().strip().replaceAll("\\s+", " ");
    }
}
