// spotsh's page check, shared by report.html and compare.html. Set before echarts loads, so that its errors count
// too; spotshStatus (called by the page once drawn, and again on any later error) writes the page's status.
var problems = [];
function report() { if (window.spotshFinish) window.spotshFinish(); }
window.onerror = function (message) { problems.push(String(message)); report(); };
window.addEventListener('unhandledrejection', function (e) { problems.push('unhandled rejection: ' + e.reason); report(); });
// what the browser's console would show as an error counts as one too (echarts reports bad options there)
var consoleError = console.error;
console.error = function () { problems.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); consoleError.apply(console, arguments); report(); };
// every chart drawn with data (hasData says of one series), or say which is not
function spotshStatus(charts, hasData) {
  var empty = Object.keys(charts).filter(function (id) { return !(charts[id].getOption().series || []).some(hasData); });
  var status = problems.length ? 'error: ' + problems.join('; ') : (empty.length ? 'error: no data in ' + empty.join(', ') : 'ok');
  document.title = status;
  document.body.setAttribute('data-status', status);
  document.body.setAttribute('data-charts', Object.keys(charts).length);
}
