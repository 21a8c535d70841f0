#!/usr/bin/env node
// Browser test of an mgsim report.html: open the page in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), wait until the page's own counter
// window.mgsimReport = {plots, rendered, errors} says every plot has finished, and check:
//   - plots > 0 and rendered === plots, with no plot errors;
//   - the console printed no error and the page threw no uncaught exception;
//   - the page asked for nothing over the network (the report must work offline);
//   - every div.plot holds an <svg> of non-zero size with at least one drawn data mark (an
//     item in a Vega group of role "mark": a line, bar, rule or label, not axis or legend).
// A full-page screenshot is saved next to the report (report.png) whatever the outcome.
//
// Usage: node check_report.js REPORT.html [SCREENSHOT.png]
// Environment: MGSIM_CHROMIUM   the Chromium binary (default /usr/bin/chromium)
//              MGSIM_BROWSER_TIMEOUT_MS   how long to wait for the plots (default 30000)
// Exit: 0 all good; 1 a check failed (the reason is printed); 77 skipped because
// playwright-core (npm ci --prefix tests/browser) or Chromium is missing (CTest SKIP).
'use strict';
const fs = require('fs');
const path = require('path');
const url = require('url');

const SKIP = 77;
const chromiumPath = process.env.MGSIM_CHROMIUM || '/usr/bin/chromium';
const timeoutMs = Number(process.env.MGSIM_BROWSER_TIMEOUT_MS || 30000);

function fail(msg) {
  console.error('check_report: FAIL: ' + msg);
  process.exitCode = 1;
}

async function main() {
  const report = process.argv[2];
  if (!report) {
    console.error('usage: node check_report.js REPORT.html [SCREENSHOT.png]');
    return 2;
  }
  const reportPath = path.resolve(report);
  if (!fs.existsSync(reportPath)) {
    console.error('check_report: FAIL: no report at ' + reportPath +
                  ' (did the mgsim command before this step fail?)');
    return 1;
  }
  const shotPath = path.resolve(process.argv[3] ||
                                path.join(path.dirname(reportPath), 'report.png'));

  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    console.log('check_report: SKIP: playwright-core is not installed ' +
                '(run: npm ci --prefix tests/browser)');
    return SKIP;
  }
  try {
    fs.accessSync(chromiumPath, fs.constants.X_OK);
  } catch (e) {
    console.log('check_report: SKIP: no Chromium at ' + chromiumPath +
                ' (install Debian package chromium, or set MGSIM_CHROMIUM)');
    return SKIP;
  }

  const problems = [];
  // CI runs as root, where Chromium refuses to start with its sandbox.
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push('console error: ' + m.text());
    });
    page.on('pageerror', (e) => problems.push('uncaught exception in the page: ' + e.message));
    page.on('request', (r) => {
      const u = r.url();
      if (!/^(file|data|blob|about):/.test(u))
        problems.push('network request (the report must be self-contained): ' + u);
    });

    await page.goto(url.pathToFileURL(reportPath).href, { waitUntil: 'load' });
    let state;
    try {
      await page.waitForFunction(() => {
        const r = window.mgsimReport;
        return r && r.rendered + r.errors.length === r.plots;
      }, null, { timeout: timeoutMs });
    } catch (e) {
      problems.push('plots did not finish within ' + timeoutMs + ' ms');
    }
    state = await page.evaluate(() => window.mgsimReport || null);

    // What each plot container holds: its SVG and the data marks drawn in it.
    const plots = await page.$$eval('div.plot', (divs) => divs.map((d) => {
      const svg = d.querySelector('svg');
      if (!svg) return { id: d.id, svg: false, marks: 0, text: d.textContent.slice(0, 200) };
      const box = svg.getBoundingClientRect();
      // Vega tags the groups of data marks role-mark (axes, legends, titles have other roles)
      let marks = 0;
      svg.querySelectorAll('g.role-mark').forEach((g) => { marks += g.children.length; });
      return { id: d.id, svg: true, marks, width: box.width, height: box.height };
    }));

    await page.screenshot({ path: shotPath, fullPage: true });

    if (!state) {
      problems.push('the page has no window.mgsimReport (not an mgsim report, or its script failed)');
    } else {
      if (!(state.plots > 0)) problems.push('the report declares no plots (plots = ' + state.plots + ')');
      if (state.rendered !== state.plots)
        problems.push('rendered ' + state.rendered + ' of ' + state.plots + ' plots');
      for (const e of state.errors || []) problems.push('plot error: ' + e);
      if (plots.length !== state.plots)
        problems.push('the page has ' + plots.length + ' div.plot but declares ' + state.plots + ' plots');
    }
    for (const p of plots) {
      if (!p.svg) problems.push(p.id + ': no <svg> in the plot (' + JSON.stringify(p.text) + ')');
      else if (p.marks === 0) problems.push(p.id + ': the <svg> has no data marks');
      else if (!(p.width > 0 && p.height > 0)) problems.push(p.id + ': the <svg> has zero size');
    }

    const summary = plots.map((p) => p.id + ' ' + (p.svg ? p.marks + ' marks' : 'no svg')).join(', ');
    console.log('check_report: ' + reportPath);
    console.log('check_report: ' + (state ? state.rendered + ' of ' + state.plots : '?') +
                ' plots rendered (' + summary + ')');
    console.log('check_report: screenshot ' + shotPath);
  } finally {
    await browser.close();
  }
  if (problems.length) {
    for (const p of problems) fail(p);
    return 1;
  }
  console.log('check_report: OK');
  return 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error('check_report: FAIL: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
