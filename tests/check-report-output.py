#!/usr/bin/env python3
"""Checks one rendered report for what hostile input must never achieve.
Usage: check-report-output.py KIND FILE [ORIGINAL.json]
KIND: md, html, junit, json (the format's own rules) or bytes (raw
terminal control characters). Prints "ok" or the first problem found."""
import html.parser
import json
import re
import sys
import xml.etree.ElementTree as ET

kind, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()


def done(msg):
    print(msg)
    sys.exit(0)


def check_bytes():
    # C0 except TAB and LF, DEL, and the C1 controls (U+0080..U+009F) in UTF-8
    m = re.search(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", data)
    if m:
        done("raw control byte %r at offset %d" % (m.group(0), m.start()))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        done("not UTF-8: %s" % e)
    for bidi in ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"):
        if bidi in data.decode("utf-8"):
            done("raw bidi control U+%04X" % ord(bidi))


def cells(line):
    # a GFM table row: split on | not escaped by a backslash
    return len(re.findall(r"(?<!\\)\|", line)) - 1


def check_md():
    text = data.decode("utf-8")
    lines = text.split("\n")
    fence = False
    cols = None
    for n, line in enumerate(lines, 1):
        if line.startswith("```"):
            if line != "```":
                done("line %d: a fence carrying text: %r" % (n, line[:80]))
            fence = not fence
            continue
        if fence:
            continue
        if re.search(r"<[A-Za-z/!?]", line):
            done("line %d: an HTML tag in Markdown: %r" % (n, line[:80]))
        if line.startswith("|"):
            if cols is None:
                cols = cells(line)
            elif cells(line) != cols:
                done("line %d: %d cells, the table has %d: %r" % (n, cells(line), cols, line[:120]))
        else:
            cols = None
        if re.match(r"#+ (head|.*scen)|> quote", line) and not line.startswith("# iommubench"):
            done("line %d: heading or quote from the input: %r" % (n, line[:80]))
    if fence:
        done("unbalanced code fence")


class Tags(html.parser.HTMLParser):
    ALLOWED = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "code", "pre",
               "table", "tr", "th", "td", "figure", "figcaption", "svg"}

    def __init__(self):
        super().__init__()
        self.svg = 0
        self.problem = None

    def handle_starttag(self, tag, attrs):
        if self.problem:
            return
        if tag == "svg":
            self.svg += 1
        if any(a.lower().startswith("on") for a, _ in attrs):
            self.problem = "event handler attribute on <%s>" % tag
        elif tag in ("script", "img", "iframe", "object", "embed", "a", "foreignobject", "b", "link", "base"):
            self.problem = "<%s> in the page" % tag
        elif not self.svg and tag not in self.ALLOWED:
            self.problem = "unexpected <%s>" % tag

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg -= 1


def check_html():
    p = Tags()
    p.feed(data.decode("utf-8"))
    p.close()
    if p.problem:
        done(p.problem)


def check_junit():
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        done("not well-formed XML: %s" % e)
    if root.tag != "testsuites" or not len(root.findall("testsuite/testcase")):
        done("no testsuites/testsuite/testcase")


def check_json():
    try:
        doc = json.loads(data)
    except ValueError as e:
        done("not JSON: %s" % e)
    # one run's JSON is the document as read, plus report's drop_warnings
    if isinstance(doc, dict):
        doc.pop("drop_warnings", None)
    if len(sys.argv) > 3 and doc != json.load(open(sys.argv[3])):
        done("the JSON of one run is not the document it read")


{"bytes": check_bytes, "md": check_md, "html": check_html, "junit": check_junit,
 "json": check_json}[kind]()
done("ok")
