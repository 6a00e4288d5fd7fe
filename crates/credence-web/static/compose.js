// Live credibility check on the compose page: after each pause in typing, the draft is sent to
// /compose/check and the findings are listed beside the text, with the passages highlighted.
// PHI findings offer a one-click redaction. The form works without this script; publishing
// runs the same check on the server.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  var body = document.getElementById("body");
  var kind = document.getElementById("kind");
  var summary = document.getElementById("check-summary");
  var list = document.getElementById("check-findings");
  var preview = document.getElementById("check-preview");
  if (!form || !body) return;
  var csrf = form.querySelector("input[name=csrf]").value;
  var timer = null;
  var sequence = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Offsets in reports count Unicode code points; JavaScript strings count UTF-16 units.
  function slice(chars, start, end) { return chars.slice(start, end).join(""); }

  function redact(start, end, replacement) {
    var chars = Array.from(body.value);
    body.value = slice(chars, 0, start) + replacement + slice(chars, end, chars.length);
    body.dispatchEvent(new Event("input"));
    body.focus();
  }

  function render(report, text) {
    var chars = Array.from(text);
    list.replaceChildren();
    preview.replaceChildren();
    var grade = report.readability.flesch_kincaid_grade.toFixed(1);
    summary.textContent = report.label_text + " · score " + report.score + "/100 · reading grade " + grade +
      " (aim for " + report.readability.target_grade + " or lower)";
    var marks = [];
    report.findings.forEach(function (f) {
      var item = el("li", f.severity);
      var phi = f.kind === "phi" ? report.phi.filter(function (p) { return p.start === f.start; })[0] : null;
      item.appendChild(el("strong", null, phi ? "Protected health information: " : f.kind.replace(/_/g, " ") + ": "));
      item.appendChild(document.createTextNode(f.message));
      if (f.suggestion) item.appendChild(el("div", "hint", f.suggestion));
      if (phi) {
        item.className += " phi-finding";
        var button = el("button", "secondary redact", "Replace “" + phi.text + "” with " + phi.redaction);
        button.type = "button";
        button.addEventListener("click", function () { redact(phi.start, phi.end, phi.redaction); });
        item.appendChild(button);
      }
      if (f.start !== null && f.end !== null && f.start < f.end) {
        marks.push({ start: f.start, end: f.end, severity: f.severity });
      }
      list.appendChild(item);
    });
    if (!report.findings.length && !report.phi.length) {
      list.appendChild(el("li", null, "Nothing to flag so far."));
    }
    // The preview shows the text with flagged passages marked (no HTML from the text is used).
    marks.sort(function (a, b) { return a.start - b.start; });
    var at = 0;
    marks.forEach(function (m) {
      if (m.start < at) return;
      preview.appendChild(document.createTextNode(slice(chars, at, m.start)));
      preview.appendChild(el("mark", m.severity, slice(chars, m.start, m.end)));
      at = m.end;
    });
    if (marks.length) preview.appendChild(document.createTextNode(slice(chars, at, chars.length)));
  }

  function check() {
    var text = body.value;
    var mine = ++sequence;
    if (!text.trim()) {
      summary.textContent = "Findings appear here as you type.";
      list.replaceChildren();
      preview.replaceChildren();
      return;
    }
    fetch("/compose/check", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ text: text, kind: kind ? kind.value : "post" })
    }).then(function (res) {
      if (!res.ok) throw new Error("check failed: " + res.status);
      return res.json();
    }).then(function (report) {
      if (mine === sequence) render(report, text);
    }).catch(function () {
      if (mine === sequence) summary.textContent = "The check could not run just now; it runs again when you publish.";
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  }
  body.addEventListener("input", schedule);
  if (kind) kind.addEventListener("change", schedule);
  if (body.value.trim()) check();
})();
