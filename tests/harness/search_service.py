#!/usr/bin/python3
"""An XEP-0055 user directory as an XEP-0114 component, standing in for the
vjud service Prosody 0.12 does not ship.

    search_service.py DOMAIN SECRET HOST PORT MODE DIRECTORY.json

MODE "form": the search form and the results are XEP-0004 data forms
(jabber:iq:search FORM_TYPE, reported fields and items); "legacy": the old
<first/><last/><nick/><email/> fields and <item jid=.../> results.
DIRECTORY.json: [{"jid", "first", "last", "nick", "email"}, ...]. A search
matches entries where every field given is a case-insensitive substring.
Prints "ready" once connected; one line "search {criteria}" per search."""

import asyncio
import json
import sys

import slixmpp
from slixmpp.xmlstream import ET
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

NS_SEARCH = "jabber:iq:search"
NS_DATA = "jabber:x:data"
FIELDS = [("first", "Given Name"), ("last", "Family Name"), ("nick", "Nickname"),
          ("email", "Email")]


class Directory(slixmpp.ComponentXMPP):
    def __init__(self, domain, secret, host, port, mode, entries):
        super().__init__(domain, secret, host, port)
        self.mode = mode
        self.entries = entries
        self.register_plugin("xep_0030")
        self["xep_0030"].add_identity(category="directory", itype="user",
                                      name="User Directory")
        self["xep_0030"].add_feature(NS_SEARCH)
        self.register_handler(Callback(
            "search", MatchXPath("{jabber:component:accept}iq/{%s}query" % NS_SEARCH),
            self.on_search))
        self.add_event_handler("session_start", lambda _: print("ready", flush=True))

    def reply(self, iq, query):
        r = iq.reply(clear=True)
        r.append(query)
        r.send()

    def on_search(self, iq):
        xml = iq.xml
        query = xml.find("{%s}query" % NS_SEARCH)
        if iq["type"] == "get":
            self.reply(iq, self.form())
            return
        if iq["type"] != "set" or query is None:
            return
        form = query.find("{%s}x" % NS_DATA)
        criteria = {}
        if form is not None:
            for field in form.findall("{%s}field" % NS_DATA):
                value = field.findtext("{%s}value" % NS_DATA) or ""
                if field.get("var") in dict(FIELDS) and value.strip():
                    criteria[field.get("var")] = value.strip()
        else:
            for var, _ in FIELDS:
                value = query.findtext("{%s}%s" % (NS_SEARCH, var)) or ""
                if value.strip():
                    criteria[var] = value.strip()
        print("search " + json.dumps(criteria, sort_keys=True), flush=True)
        found = [e for e in self.entries
                 if all(v.lower() in e.get(k, "").lower() for k, v in criteria.items())]
        self.reply(iq, self.results(found, form is not None))

    def form(self):
        query = ET.Element("{%s}query" % NS_SEARCH)
        if self.mode == "legacy":
            ET.SubElement(query, "{%s}instructions" % NS_SEARCH).text = \
                "Fill in one or more fields to search for people."
            for var, _ in FIELDS:
                ET.SubElement(query, "{%s}%s" % (NS_SEARCH, var))
            return query
        x = ET.SubElement(query, "{%s}x" % NS_DATA, type="form")
        ET.SubElement(x, "{%s}title" % NS_DATA).text = "People Search"
        ET.SubElement(x, "{%s}instructions" % NS_DATA).text = \
            "Fill in one or more fields to search for people."
        hidden = ET.SubElement(x, "{%s}field" % NS_DATA, type="hidden", var="FORM_TYPE")
        ET.SubElement(hidden, "{%s}value" % NS_DATA).text = NS_SEARCH
        for var, label in FIELDS:
            ET.SubElement(x, "{%s}field" % NS_DATA, type="text-single", var=var, label=label)
        return query

    def results(self, found, as_form):
        query = ET.Element("{%s}query" % NS_SEARCH)
        if not as_form:
            for e in found:
                item = ET.SubElement(query, "{%s}item" % NS_SEARCH, jid=e["jid"])
                for var, _ in FIELDS:
                    ET.SubElement(item, "{%s}%s" % (NS_SEARCH, var)).text = e.get(var, "")
            return query
        x = ET.SubElement(query, "{%s}x" % NS_DATA, type="result")
        hidden = ET.SubElement(x, "{%s}field" % NS_DATA, type="hidden", var="FORM_TYPE")
        ET.SubElement(hidden, "{%s}value" % NS_DATA).text = NS_SEARCH
        reported = ET.SubElement(x, "{%s}reported" % NS_DATA)
        ET.SubElement(reported, "{%s}field" % NS_DATA, var="jid", label="JID",
                      type="jid-single")
        for var, label in FIELDS:
            ET.SubElement(reported, "{%s}field" % NS_DATA, var=var, label=label,
                          type="text-single")
        for e in found:
            item = ET.SubElement(x, "{%s}item" % NS_DATA)
            for var in ["jid"] + [v for v, _ in FIELDS]:
                field = ET.SubElement(item, "{%s}field" % NS_DATA, var=var)
                ET.SubElement(field, "{%s}value" % NS_DATA).text = e.get(var, "")
        return query


def main():
    domain, secret, host, port, mode, path = sys.argv[1:7]
    with open(path) as f:
        entries = json.load(f)
    service = Directory(domain, secret, host, int(port), mode, entries)
    service.connect()
    asyncio.get_event_loop().run_forever()


if __name__ == "__main__":
    main()
