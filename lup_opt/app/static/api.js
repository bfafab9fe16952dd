// The API page: every operation of /openapi.json, grouped by tag, with its parameters and body fields.
"use strict";
(async () => {
  const spec = await (await fetch("/openapi.json")).json();
  const box = document.getElementById("ops");
  const groups = {};
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [verb, op] of Object.entries(ops)) {
      (groups[(op.tags || ["other"])[0]] ||= []).push({ path, verb, op });
    }
  }
  const ref = (schema) => {
    if (!schema || !schema.$ref) return null;
    return spec.components.schemas[schema.$ref.split("/").pop()];
  };
  box.replaceChildren();
  for (const [tag, ops] of Object.entries(groups)) {
    const h = document.createElement("h2");
    h.textContent = tag;
    box.append(h);
    for (const { path, verb, op } of ops) {
      const div = document.createElement("div");
      div.className = "op";
      const params = (op.parameters || []).map((p) => `${p.name}${p.required ? "" : "?"} (${p.in})`);
      const body = ref(op.requestBody && op.requestBody.content["application/json"].schema);
      const fields = body ? Object.entries(body.properties).map(([k, v]) => `${k}${(body.required || []).includes(k) ? "" : "?"}${v.description ? ": " + v.description : ""}`) : [];
      div.innerHTML = `<span class="verb ${verb}">${verb.toUpperCase()}</span> <code></code> <span class="muted"></span>`;
      div.querySelector("code").textContent = path;
      div.querySelector(".muted").textContent = op.summary || "";
      for (const line of [params.length ? "parameters: " + params.join(", ") : "", fields.length ? "body: " + fields.join("; ") : ""]) {
        if (!line) continue;
        const p = document.createElement("div");
        p.className = "params";
        p.textContent = line;
        div.append(p);
      }
      box.append(div);
    }
  }
})();
