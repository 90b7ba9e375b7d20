// Typeset TeX with KaTeX and report what fails (used by tests/test_typesetting.py).
//
// stdin:  JSON list of {"tex": "...", "display": true | false}
// stdout: JSON list of {"index": i, "error": "KaTeX's message"} for every entry that does not typeset.
"use strict";
const katex = require("katex");

// JupyterLab typesets with MathJax 3, which knows a few macros KaTeX lacks; each one the
// lessons use is defined here as MathJax defines it, so that only real errors are reported.
const MACROS = {};

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
    const failures = [];
    JSON.parse(input).forEach(({ tex, display }, index) => {
        try {
            // strict: false — MathJax accepts Unicode text in maths (e.g. "−", "×") without complaint.
            katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: false,
                                        macros: { ...MACROS } });
        } catch (error) {
            failures.push({ index, error: String(error.message || error) });
        }
    });
    process.stdout.write(JSON.stringify(failures));
});
