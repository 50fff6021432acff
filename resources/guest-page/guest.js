// The guest viewer: open the link (asking for the PIN or date of birth when it has one), list
// the series, draw images on a canvas with window/level, scroll through them, download if allowed.
// Plain script, no framework: it is served by the hub to browsers that know nothing of Studyshare.
(function () {
  'use strict';
  var token = location.pathname.split('/')[2] || '';
  var app = document.getElementById('app');
  var session = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key.indexOf('on') === 0) node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function show(node) { app.replaceChildren(node); }
  function message(title, text) {
    show(el('section', { class: 'card', role: 'alert' }, [el('h1', { text: title }), el('p', { text: text })]));
  }
  function call(path, options) {
    var headers = Object.assign({}, (options && options.headers) || {});
    if (session) headers['x-guest-session'] = session;
    return fetch('/g/' + token + path, Object.assign({}, options, { headers: headers }));
  }

  function askPassword(kind, problem) {
    var input = el('input', { type: kind === 'pin' ? 'password' : 'text', inputmode: kind === 'pin' ? 'numeric' : 'text', autocomplete: 'off' });
    var label = el('label', {}, [el('span', { text: kind === 'pin' ? 'PIN' : 'Patient’s date of birth (e.g. 1970-03-15)' }), input]);
    var form = el('form', { onsubmit: function (event) { event.preventDefault(); open(input.value); } }, [
      label,
      problem ? el('p', { class: 'error', role: 'alert', text: problem }) : null,
      el('button', { type: 'submit', class: 'primary', text: 'Open' }),
    ]);
    show(el('section', { class: 'card' }, [el('h1', { text: 'This study is protected' }), form]));
    input.focus();
  }

  function open(password) {
    return call('/open', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(password === undefined ? {} : { password: password }) })
      .then(function (response) { return response.json().then(function (body) { return { status: response.status, body: body }; }); })
      .then(function (result) {
        var error = result.body.error;
        if (result.status === 200) {
          session = result.body.session;
          return viewer(result.body);
        }
        if (error && (error.code === 'password-required' || error.code === 'password-wrong')) {
          return askPassword(result.body.protection, error.code === 'password-wrong' ? error.message : null);
        }
        message('This link cannot be opened', error ? error.message : 'Something went wrong.');
      })
      .catch(function () { message('This link cannot be opened', 'The server did not answer. Try again later.'); });
  }

  function viewer(opened) {
    var canvas = el('canvas', { width: '512', height: '512', role: 'img', 'aria-label': 'Image' });
    var position = el('input', { type: 'range', min: '1', max: '1', value: '1', 'aria-label': 'Image number' });
    var center = el('input', { type: 'number', 'aria-label': 'Window center' });
    var width = el('input', { type: 'number', 'aria-label': 'Window width' });
    var caption = el('p', { class: 'muted', 'aria-live': 'polite' });
    var list = el('ul', { class: 'series', 'aria-label': 'Series' });
    var current = { series: null, index: 0, image: null, pixels: null };
    var summary = opened.studies[0] ? opened.studies[0].summary : {};
    var controls = el('div', { class: 'controls' }, [
      el('button', { type: 'button', text: 'Previous image', onclick: function () { go(current.index - 1); } }),
      position,
      el('button', { type: 'button', text: 'Next image', onclick: function () { go(current.index + 1); } }),
      el('label', {}, [document.createTextNode('Center'), center]),
      el('label', {}, [document.createTextNode('Width'), width]),
      opened.allowDownload ? el('button', { type: 'button', class: 'primary', text: 'Download study (zip)', onclick: download }) : null,
    ]);
    show(el('div', {}, [
      el('h1', { text: [summary.studyDescription, summary.studyDate].filter(Boolean).join(' · ') || 'Shared study' }),
      opened.note ? el('p', { class: 'muted', text: opened.note }) : null,
      el('div', { class: 'viewer' }, [list, el('div', { class: 'stage' }, [canvas, controls, caption])]),
    ]));
    position.addEventListener('input', function () { go(Number(position.value) - 1); });
    center.addEventListener('change', draw);
    width.addEventListener('change', draw);
    canvas.addEventListener('wheel', function (event) { event.preventDefault(); go(current.index + (event.deltaY > 0 ? 1 : -1)); });
    document.addEventListener('keydown', function (event) {
      if (event.target && event.target.tagName === 'INPUT' && event.target.type !== 'range') return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowRight') go(current.index + 1);
      if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') go(current.index - 1);
    });

    function draw() {
      var image = current.image, pixels = current.pixels;
      if (!image || !pixels) return;
      var count = image.rows * image.columns;
      var values = image.bitsAllocated === 16 ? (image.pixelRepresentation === 1 ? new Int16Array(pixels, 0, count) : new Uint16Array(pixels, 0, count)) : new Uint8Array(pixels, 0, count);
      var c = Number(center.value), w = Math.max(1, Number(width.value));
      var low = c - w / 2, invert = image.photometric === 'MONOCHROME1';
      canvas.width = image.columns;
      canvas.height = image.rows;
      var context = canvas.getContext('2d');
      var out = context.createImageData(image.columns, image.rows);
      for (var i = 0; i < count; i++) {
        var v = values[i] * image.rescaleSlope + image.rescaleIntercept;
        var g = Math.round(Math.min(255, Math.max(0, ((v - low) / w) * 255)));
        if (invert) g = 255 - g;
        out.data[i * 4] = out.data[i * 4 + 1] = out.data[i * 4 + 2] = g;
        out.data[i * 4 + 3] = 255;
      }
      context.putImageData(out, 0, 0);
    }

    function go(index) {
      var series = current.series;
      if (!series) return;
      index = Math.max(0, Math.min(series.instances.length - 1, index));
      current.index = index;
      position.value = String(index + 1);
      var instance = series.instances[index];
      var base = '/api/images/' + series.studyId + '/' + encodeURIComponent(instance.sop);
      caption.textContent = 'Image ' + (index + 1) + ' of ' + series.instances.length;
      return call(base + '/meta').then(function (r) { return r.json(); }).then(function (image) {
        if (!image.renderable) { caption.textContent = 'Image ' + (index + 1) + ' cannot be shown here (compressed); download the study to view it.'; return; }
        return call(base + '/pixels').then(function (r) { return r.arrayBuffer(); }).then(function (pixels) {
          if (current.index !== index) return;
          var first = current.image === null;
          current.image = image;
          current.pixels = pixels;
          if (first || center.value === '') {
            if (image.windowWidth !== null && image.windowCenter !== null) { center.value = String(image.windowCenter); width.value = String(image.windowWidth); }
            else {
              var values = image.bitsAllocated === 16 ? (image.pixelRepresentation === 1 ? new Int16Array(pixels) : new Uint16Array(pixels)) : new Uint8Array(pixels);
              var min = Infinity, max = -Infinity;
              for (var i = 0; i < values.length; i++) { var v = values[i] * image.rescaleSlope + image.rescaleIntercept; if (v < min) min = v; if (v > max) max = v; }
              center.value = String(Math.round((min + max) / 2)); width.value = String(Math.max(1, Math.round(max - min)));
            }
          }
          draw();
          canvas.setAttribute('data-rendered', String(index + 1));
        });
      });
    }

    function choose(series, button) {
      Array.prototype.forEach.call(list.querySelectorAll('button'), function (b) { b.setAttribute('aria-pressed', 'false'); });
      button.setAttribute('aria-pressed', 'true');
      current.series = series;
      current.image = null;
      position.max = String(series.instances.length);
      go(0);
    }

    function download() {
      call('/api/download').then(function (response) {
        if (!response.ok) return response.json().then(function (body) { caption.textContent = body.error.message; });
        return response.blob().then(function (blob) {
          var link = el('a', { href: URL.createObjectURL(blob), download: 'studies.zip' });
          document.body.appendChild(link);
          link.click();
          link.remove();
        });
      });
    }

    call('/api/series').then(function (r) { return r.json(); }).then(function (body) {
      if (!body.series || body.series.length === 0) { caption.textContent = 'The images of this study are not on the server yet.'; return; }
      body.series.forEach(function (series, i) {
        var label = [series.number !== null ? '#' + series.number : null, series.modality, series.description, series.instances.length + (series.instances.length === 1 ? ' image' : ' images')].filter(Boolean).join(' · ');
        var button = el('button', { type: 'button', 'aria-pressed': 'false', text: label, onclick: function () { choose(series, button); } });
        list.appendChild(el('li', {}, [button]));
        if (i === 0) choose(series, button);
      });
    });
  }

  if (!/^[A-Za-z0-9_-]{20,}$/.test(token)) message('This link cannot be opened', 'This link does not exist. Check that it was copied whole, or ask for a new one.');
  else open();
})();
