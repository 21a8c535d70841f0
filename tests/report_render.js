// Render every plot of an mgsim report.html to SVG with the Vega copy the page carries,
// outside a browser (Node's vm), and print "rendered N of M". Exit 1 if any plot fails.
// Usage: node tests/report_render.js report.html
'use strict';
const fs = require('fs');
const vm = require('vm');
const html = fs.readFileSync(process.argv[2], 'utf8');
const plots = JSON.parse(html.match(/<script type="application\/json" id="mgsim-plots">([\s\S]*?)<\/script>/)[1]);
const script = html.match(/<script>\n([\s\S]*?)<\/script>/)[1];
const cut = script.indexOf('window.mgsimReport=');
if (cut < 0) { console.error('no runtime in the page'); process.exit(1); }
const ctx = { console, setTimeout, clearTimeout, Promise, window: {} };
vm.createContext(ctx);
vm.runInContext(script.slice(0, cut) + ';this.vega=vega;', ctx);
let ok = 0;
Promise.all(plots.map(p => new ctx.vega.View(ctx.vega.parse(p.spec), { renderer: 'none' })
  .toSVG().then(svg => { if (svg.includes('<path') || svg.includes('<rect')) ok++; else console.error(p.id + ': empty'); },
               e => console.error(p.id + ': ' + e))))
  .then(() => { console.log('rendered ' + ok + ' of ' + plots.length); process.exit(ok === plots.length ? 0 : 1); });
