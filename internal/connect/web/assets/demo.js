'use strict';
// The demo parent page: it opens the widget of its own origin with the
// page's query string and prints every message the widget posts.
(function () {
  var frame = document.getElementById('widget');
  var list = document.getElementById('events');
  var query = location.search || '?demo=true';
  var widgetOrigin = location.origin;
  window.bankfeedEvents = [];
  window.addEventListener('message', function (e) {
    // An integrator checks the origin too: only the widget's messages count.
    if (e.origin !== widgetOrigin || e.source !== frame.contentWindow) {
      return;
    }
    window.bankfeedEvents.push(e.data);
    var item = document.createElement('li');
    item.textContent = JSON.stringify(e.data);
    item.setAttribute('data-testid', 'demo-event');
    list.appendChild(item);
  });
  frame.src = '/v2/' + query;
})();
