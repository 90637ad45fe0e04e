'use strict';
// bankfeed Connect: the widget. It is a client of bankfeed's public API
// (/v3/{customerId}/BankingServices/...), as any other client: it lists the
// institutions, runs a live /Authorize with Save: true, renders each 203's
// SecurityChallenges as a screen, and reads GetAccountsSummaryAsync for the
// account selector. It posts Flinks Connect's events to the parent window
// (or to ReactNativeWebView with webview=true) and then redirects as Flinks
// does. Everything shown comes from strings.js or from the bank; nothing is
// written as HTML, so nothing the bank sends can become markup.
(function () {
  // Parameters: names are matched case-insensitively and unknown ones are
  // ignored, as Flinks does; values are strings, "true" meaning true.
  var params = {};
  new URLSearchParams(location.search).forEach(function (v, k) { params[k.toLowerCase()] = v; });
  function str(name) { return (params[name.toLowerCase()] || '').trim(); }
  function flag(name, def) {
    var v = str(name).toLowerCase();
    return v === '' ? def : v === 'true';
  }
  function count(name, def) {
    var n = parseInt(str(name), 10);
    return isNaN(n) || n < 0 ? def : n;
  }
  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') : '';
  }

  var lang = str('language').toLowerCase().indexOf('fr') === 0 ? 'fr' : 'en';
  var T = window.bankfeedStrings[lang];
  document.documentElement.lang = lang;

  var demo = flag('demo', false);
  var cfg = {
    token: str('authorizeToken'),
    customerId: str('customerId') || (demo ? meta('bankfeed-demo-customer') : ''),
    redirectUrl: str('redirectUrl'),
    innerRedirect: flag('innerRedirect', false),
    jsRedirect: flag('jsRedirect', false),
    tag: str('tag'),
    consentEnable: flag('consentEnable', false),
    customerName: str('customerName'),
    headerEnable: flag('headerEnable', true),
    backEnable: flag('backEnable', false),
    closeEnable: flag('closeEnable', false),
    institutionFilterEnable: flag('institutionFilterEnable', true),
    accountSelectorEnable: flag('accountSelectorEnable', false),
    accountSelectorMultiple: flag('accountSelectorMultiple', false),
    showAllAccounts: flag('showAllAccounts', false),
    scheduleRefresh: flag('scheduleRefresh', false),
    maximumRetry: count('maximumRetry', 2),
    webview: flag('webview', false),
    requestId: str('requestId')
  };
  var base = '/v3/' + encodeURIComponent(cfg.customerId) + '/BankingServices/';

  // state is the one conversation the widget holds.
  var state = {
    institutions: [],
    institution: null, // the entry chosen: {name, display}
    requestId: '',
    credentialFailures: 0,
    mfaFailures: 0,
    challengesKey: '',
    deviceTimer: 0,
    ended: false
  };

  // post sends one event, Flinks' way: {step: NAME, ...fields}.
  function post(step, fields) {
    var msg = { step: step };
    Object.keys(fields || {}).forEach(function (k) { msg[k] = fields[k]; });
    if (cfg.webview) {
      if (window.ReactNativeWebView && window.ReactNativeWebView.postMessage) {
        window.ReactNativeWebView.postMessage(JSON.stringify(msg));
      }
      return;
    }
    if (window.parent && window.parent !== window) {
      window.parent.postMessage(msg, '*');
    }
  }

  function fmt(s, vars) {
    return s.replace(/\{(\w+)\}/g, function (_, k) { return vars && vars[k] !== undefined ? vars[k] : ''; });
  }

  // api calls one BankingServices operation; the token goes in
  // flinks-auth-key, never in a URL.
  function api(method, op, body) {
    var headers = { 'Accept': 'application/json' };
    if (body) { headers['Content-Type'] = 'application/json'; }
    if (cfg.token) { headers['flinks-auth-key'] = cfg.token; }
    return fetch(base + op, {
      method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store', credentials: 'omit', redirect: 'error'
    }).then(function (res) {
      return res.json().then(function (data) { return { status: res.status, body: data || {} }; },
        function () { return { status: res.status, body: {} }; });
    }, function () {
      return { status: 0, body: { FlinksCode: 'NETWORK' } };
    });
  }

  // el builds an element: attrs are attributes (testid, for, ...), and
  // children are nodes or strings (text, never markup).
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) { return; }
      if (k === 'testid') { e.setAttribute('data-testid', v); } else if (k === 'text') { e.textContent = v; } else { e.setAttribute(k, v === true ? '' : v); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  var main = document.getElementById('main');
  var header = document.getElementById('header');
  var back = document.getElementById('back');
  var close = document.getElementById('close');
  var onBack = null;
  document.getElementById('brand').textContent = T.brand;
  back.textContent = '\u2190';
  back.setAttribute('aria-label', T.back);
  close.textContent = '\u00d7';
  close.setAttribute('aria-label', T.close);
  header.hidden = !cfg.headerEnable;
  close.hidden = !cfg.closeEnable;
  close.addEventListener('click', function () {
    stopDevice();
    post('COMPONENT_CLOSE_SESSION');
  });
  back.addEventListener('click', function () { if (onBack) { onBack(); } });

  var ids = 0;
  function uid(prefix) { ids++; return prefix + '-' + ids; }

  // show replaces the screen, and moves the focus to its title so that a
  // screen reader announces it and the keyboard starts from the top.
  function show(name, title, nodes, backTo) {
    stopDevice();
    main.textContent = '';
    main.setAttribute('data-testid', 'screen-' + name);
    var h = el('h1', { tabindex: '-1', id: 'title', text: title, testid: 'title' });
    main.appendChild(h);
    nodes.forEach(function (n) { if (n) { main.appendChild(n); } });
    onBack = backTo || null;
    back.hidden = !(cfg.backEnable && backTo);
    h.focus();
  }

  function errorBox(text) {
    return text ? el('p', { 'class': 'error', role: 'alert', tabindex: '-1', testid: 'error', text: text }) : null;
  }

  // setError shows text as the form's one error, first in it.
  function setError(form, text) {
    var box = form.querySelector('.error');
    var nb = errorBox(text);
    if (box) { form.replaceChild(nb, box); } else { form.insertBefore(nb, form.firstChild); }
    nb.focus();
  }

  function message(code) {
    return T.errors[code] || T.errors.OTHER;
  }

  function busy(form, on) {
    Array.prototype.forEach.call(form.querySelectorAll('button, input, select'), function (c) { c.disabled = on; });
  }

  // Screens.

  function start() {
    post('APP_MOUNTED');
    if (!cfg.customerId) {
      tokenInvalid();
      return;
    }
    if (cfg.requestId) {
      resume();
      return;
    }
    api('GET', 'Institutions').then(function (r) {
      if (r.status === 401 || r.status === 403) {
        tokenInvalid();
        return;
      }
      if (r.status !== 200) {
        fail(r.body.FlinksCode || 'OTHER');
        return;
      }
      state.institutions = (r.body.Data || []).filter(function (i) { return i.Name; }).map(function (i) {
        var loc = (i.Localizations || []).filter(function (l) { return l.Language === lang; })[0] || (i.Localizations || [])[0] || {};
        return { name: i.Name, id: i.Id, display: loc.Name || i.Name };
      });
      if (cfg.consentEnable) {
        consent();
      } else {
        institutions();
      }
    });
  }

  function consent() {
    post('COMPONENT_LOAD_CONSENT');
    var body = cfg.customerName ? fmt(T.consentBody, { customer: cfg.customerName }) : T.consentBodyNoName;
    var accept = el('button', { type: 'button', 'class': 'primary', testid: 'consent-accept', text: T.consentAccept });
    accept.addEventListener('click', function () {
      post('COMPONENT_ACCEPT_CONSENT');
      institutions();
    });
    show('consent', T.consentTitle, [el('p', { text: body }), accept]);
  }

  function initials(name) {
    var words = name.split(/[\s\-]+/).filter(Boolean);
    var s = words.length > 1 ? words[0][0] + words[1][0] : name.slice(0, 2);
    return s.toUpperCase();
  }

  function institutions() {
    post('COMPONENT_LOAD_INSTITUTION_SELECTOR');
    var list = el('ul', { 'class': 'institutions', testid: 'institution-list' });
    var none = el('p', { 'class': 'status', testid: 'institution-none', text: T.noInstitution, hidden: true });
    function render(filter) {
      list.textContent = '';
      var f = filter.trim().toLowerCase();
      var shown = state.institutions.filter(function (i) {
        return !f || i.display.toLowerCase().indexOf(f) >= 0 || i.name.toLowerCase().indexOf(f) >= 0;
      });
      shown.forEach(function (inst) {
        var b = el('button', { type: 'button', 'class': 'inst', testid: 'institution-' + inst.name }, [
          el('span', { 'class': 'logo', 'aria-hidden': 'true', text: initials(inst.display) }),
          el('span', { 'class': 'inst-name', text: inst.display })
        ]);
        b.addEventListener('click', function () {
          state.institution = inst;
          post('INSTITUTION_SELECTED', { institution: inst.name });
          credentials('');
        });
        list.appendChild(el('li', {}, [b]));
      });
      none.hidden = shown.length > 0;
    }
    var nodes = [];
    if (cfg.institutionFilterEnable) {
      var id = uid('search');
      var search = el('input', { type: 'search', id: id, testid: 'institution-search', autocomplete: 'off' });
      search.addEventListener('input', function () { render(search.value); });
      nodes.push(el('div', { 'class': 'field' }, [el('label', { 'for': id, text: T.search }), search]));
    }
    nodes.push(list, none);
    render('');
    show('institutions', T.institutionsTitle, nodes, cfg.consentEnable ? consent : null);
  }

  function credentials(err) {
    var inst = state.institution;
    post(err ? 'COMPONENT_LOAD_CREDENTIAL_RETRY' : 'COMPONENT_LOAD_CREDENTIAL', { institution: inst.name });
    var uidU = uid('username'), uidP = uid('password');
    var user = el('input', { type: 'text', id: uidU, name: 'username', testid: 'credential-username', autocomplete: 'username',
      autocapitalize: 'none', spellcheck: 'false', required: true });
    var pass = el('input', { type: 'password', id: uidP, name: 'password', testid: 'credential-password',
      autocomplete: 'current-password', required: true });
    var problem = errorBox(err);
    var form = el('form', { method: 'post', novalidate: true, testid: 'credential-form' }, [
      problem,
      el('div', { 'class': 'field' }, [el('label', { 'for': uidU, text: T.username }), user]),
      el('div', { 'class': 'field' }, [el('label', { 'for': uidP, text: T.password }), pass]),
      el('button', { type: 'submit', 'class': 'primary', testid: 'credential-submit', text: T.submit })
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!user.value.trim() || !pass.value) {
        setError(form, T.required);
        return;
      }
      post('SUBMIT_CREDENTIAL', { institution: inst.name });
      busy(form, true);
      var req = { Institution: inst.name, Username: user.value.trim(), Password: pass.value, Save: true,
        MostRecentCached: false, Language: lang };
      if (cfg.tag) { req.Tag = cfg.tag; }
      if (cfg.scheduleRefresh) { req.ScheduleRefresh = true; }
      user.value = '';
      pass.value = '';
      api('POST', 'Authorize', req).then(function (r) { answered(r, 'credential'); });
    });
    show('credentials', fmt(T.credentialsTitle, { institution: inst.display }), [form], institutions);
    user.focus();
  }

  // answered handles every answer of /Authorize: a 203 (a round to
  // answer), a 200 (authorized), or an error, after credentials (stage
  // "credential") or MFA answers ("mfa").
  function answered(r, stage) {
    var b = r.body;
    if (b.RequestId) { state.requestId = b.RequestId; }
    if (r.status === 203 && b.SecurityChallenges && b.SecurityChallenges.length) {
      mfa(b.SecurityChallenges, '');
      return;
    }
    if (r.status === 200 && b.Login) {
      authorized(b);
      return;
    }
    var code = b.FlinksCode || 'OTHER';
    if (code === 'ACCESS_DENIED') {
      // The authorize token: missing, used by another session, or expired.
      tokenInvalid();
      return;
    }
    post(code, { flinksCode: code, institution: state.institution ? state.institution.name : undefined });
    if (stage === 'credential' && (code === 'INVALID_PASSWORD' || code === 'INVALID_USERNAME')) {
      state.credentialFailures++;
      if (state.credentialFailures <= cfg.maximumRetry) {
        credentials(message(code) + ' ' + T.retryLeft);
        return;
      }
      fail('MAXIMUM_RETRY', true);
      return;
    }
    if (stage === 'mfa' && code === 'INVALID_SECURITY_RESPONSE' && state.lastChallenges) {
      state.mfaFailures++;
      if (state.mfaFailures <= cfg.maximumRetry) {
        mfa(state.lastChallenges, message(code) + ' ' + T.retryLeft);
        return;
      }
      fail('MAXIMUM_RETRY', true);
      return;
    }
    fail(code, true);
  }

  function resume() {
    api('POST', 'Authorize', { RequestId: cfg.requestId, SecurityResponses: {} }).then(function (r) {
      if (r.body.Institution) { state.institution = { name: r.body.Institution, display: r.body.Institution }; }
      answered(r, 'resume');
    });
  }

  // challengeFields renders one challenge and returns its DOM and a
  // reader of its answer: {key, values} or null when not filled in.
  function challengeFields(ch, i) {
    var iter = ch.Iterables || [];
    var name = 'ch' + i;
    if (ch.Type === 'QuestionAndAnswer' && iter.length === 0) {
      var id = uid('answer');
      var input = el('input', { type: 'text', id: id, name: name, testid: 'mfa-answer-' + i, autocomplete: 'off', required: true });
      return { node: el('div', { 'class': 'field' }, [el('label', { 'for': id, text: ch.Prompt }), input]),
        read: function () { return input.value.trim() ? { key: ch.Prompt, values: [input.value.trim()] } : null; } };
    }
    if (ch.Type === 'QuestionAndAnswer') {
      // Choosing a new security question: the question, then its answer.
      var qid = uid('question'), aid = uid('answer');
      var sel = el('select', { id: qid, name: name + 'q', testid: 'mfa-question-' + i, required: true },
        [el('option', { value: '', text: T.chooseQuestion })].concat(iter.map(function (q) { return el('option', { value: q, text: q }); })));
      var ans = el('input', { type: 'text', id: aid, name: name + 'a', testid: 'mfa-answer-' + i, autocomplete: 'off', required: true });
      return { node: el('fieldset', {}, [el('legend', { text: ch.Prompt }),
        el('div', { 'class': 'field' }, [el('label', { 'for': qid, text: T.chooseQuestion }), sel]),
        el('div', { 'class': 'field' }, [el('label', { 'for': aid, text: T.yourAnswer }), ans])]),
      read: function () { return sel.value && ans.value.trim() ? { key: ch.Prompt, values: [sel.value, ans.value.trim()] } : null; } };
    }
    if (ch.Type === 'MultipleChoice' || ch.Type === 'MultipleChoiceMultipleAnswers' || ch.Type === 'ImageSelection') {
      var multi = ch.Type === 'MultipleChoiceMultipleAnswers';
      var image = ch.Type === 'ImageSelection';
      var inputs = [];
      var choices = iter.map(function (opt, j) {
        var box = el('input', { type: multi ? 'checkbox' : 'radio', name: name, value: String(j),
          testid: (image ? 'mfa-image-' : 'mfa-option-') + i + '-' + j });
        inputs.push(box);
        var label = image ? el('img', { src: 'data:image/png;base64,' + opt, alt: fmt(T.imageAlt, { n: j + 1 }) }) : el('span', { text: opt });
        return el('label', { 'class': 'choice' }, [box, label]);
      });
      var hint = multi ? T.chooseSome : T.chooseOne;
      return { node: el('fieldset', {}, [el('legend', { text: ch.Prompt }), el('p', { 'class': 'status', text: hint }),
        el('div', { 'class': image ? 'images' : 'options' }, choices)]),
      read: function () {
        var picked = inputs.filter(function (x) { return x.checked; }).map(function (x) { return iter[+x.value]; });
        return picked.length ? { key: ch.Prompt, values: picked } : null;
      } };
    }
    if (ch.Type === 'TextOrCall') {
      // Keyed by the phone number chosen, as the Flinks docs answer it.
      var phones = iter.map(function (p, j) {
        return el('input', { type: 'radio', name: name + 'p', value: p, testid: 'mfa-phone-' + i + '-' + j });
      });
      var methods = ['Text', 'Call'].map(function (m) {
        return el('input', { type: 'radio', name: name + 'm', value: m, testid: 'mfa-method-' + i + '-' + m.toLowerCase() });
      });
      return { node: el('div', {}, [
        el('fieldset', {}, [el('legend', { text: ch.Prompt })].concat(phones.map(function (p) {
          return el('label', { 'class': 'choice' }, [p, el('span', { text: p.value })]);
        }))),
        el('fieldset', {}, [el('legend', { text: T.method })].concat(methods.map(function (m) {
          return el('label', { 'class': 'choice' }, [m, el('span', { text: m.value === 'Text' ? T.text : T.call })]);
        })))
      ]),
      read: function () {
        var p = phones.filter(function (x) { return x.checked; })[0];
        var m = methods.filter(function (x) { return x.checked; })[0];
        return p && m ? { key: p.value, values: [m.value] } : null;
      } };
    }
    // Any other type, a bank's own: its prompt and a free answer.
    var oid = uid('answer');
    var other = el('input', { type: 'text', id: oid, name: name, testid: 'mfa-answer-' + i, autocomplete: 'off' });
    return { node: el('div', { 'class': 'field' }, [el('label', { 'for': oid, text: ch.Prompt }), other]),
      read: function () { return other.value.trim() ? { key: ch.Prompt, values: [other.value.trim()] } : null; } };
  }

  function mfa(challenges, err) {
    var inst = state.institution || { name: '', display: '' };
    var key = JSON.stringify(challenges.map(function (c) { return [c.Type, c.Prompt]; }));
    var device = challenges.length === 1 && challenges[0].Type === 'WaitUntilEUAccept';
    if (device && state.challengesKey === key && state.deviceTimer) {
      return; // still waiting for the same approval
    }
    state.challengesKey = key;
    state.lastChallenges = challenges;
    post(err ? 'COMPONENT_LOAD_MFA_RETRY' : 'COMPONENT_LOAD_MFA', { institution: inst.name });
    if (device) {
      deviceWait(challenges[0], inst);
      return;
    }
    var fields = challenges.map(challengeFields);
    var problem = errorBox(err);
    var form = el('form', { method: 'post', novalidate: true, testid: 'mfa-form' },
      [problem].concat(fields.map(function (f) { return f.node; })).concat([
        el('button', { type: 'submit', 'class': 'primary', testid: 'mfa-submit', text: T.submit })]));
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var responses = {};
      var missing = false;
      fields.forEach(function (f) {
        var a = f.read();
        if (!a) { missing = true; return; }
        responses[a.key] = a.values;
      });
      if (missing) {
        setError(form, T.required);
        return;
      }
      post('SUBMIT_MFA', { institution: inst.name });
      busy(form, true);
      api('POST', 'Authorize', { RequestId: state.requestId, SecurityResponses: responses }).then(function (r) {
        answered(r, 'mfa');
      });
    });
    show('mfa', T.mfaTitle, [el('p', { text: fmt(T.mfaIntro, { institution: inst.display }) }), form]);
    var first = form.querySelector('input, select');
    if (first) { first.focus(); }
  }

  // deviceWait shows a trusted-device approval and asks the bank, every
  // second and a half or when the person says so, whether it is given.
  function deviceWait(ch, inst) {
    var check = el('button', { type: 'button', 'class': 'secondary', testid: 'mfa-device-check', text: T.deviceCheck });
    var submitted = false;
    // One question at a time: a second answer while the first is on its
    // way is a concurrent one, which the API refuses (CONCURRENT_SESSION).
    var inflight = false;
    function ask() {
      if (inflight) { return; }
      inflight = true;
      if (!submitted) {
        post('SUBMIT_MFA', { institution: inst.name });
        submitted = true;
      }
      var responses = {};
      responses[ch.Prompt] = ['VERIFIED'];
      api('POST', 'Authorize', { RequestId: state.requestId, SecurityResponses: responses }).then(function (r) {
        inflight = false;
        if (!state.deviceTimer) { return; }
        if (r.status === 203 && r.body.SecurityChallenges) {
          var same = JSON.stringify(r.body.SecurityChallenges.map(function (c) { return [c.Type, c.Prompt]; })) === state.challengesKey;
          if (same) {
            state.deviceTimer = setTimeout(ask, 1500);
            return;
          }
        }
        stopDevice();
        answered(r, 'mfa');
      });
    }
    check.addEventListener('click', function () {
      // While a question is on its way, its answer is the one awaited.
      if (state.deviceTimer && !inflight) { clearTimeout(state.deviceTimer); state.deviceTimer = setTimeout(ask, 0); }
    });
    show('mfa-device', T.mfaTitle, [el('p', { text: ch.Prompt }), el('div', { 'class': 'spinner', 'aria-hidden': 'true' }),
      el('p', { 'class': 'status', role: 'status', text: T.deviceWaiting }), check]);
    state.deviceTimer = setTimeout(ask, 1500);
  }

  function stopDevice() {
    if (state.deviceTimer) { clearTimeout(state.deviceTimer); }
    state.deviceTimer = 0;
  }

  function authorized(b) {
    var loginId = b.Login.Id;
    var institution = b.Institution || (state.institution ? state.institution.name : '');
    state.requestId = b.RequestId;
    if (!cfg.accountSelectorEnable) {
      redirect(loginId, institution, []);
      return;
    }
    show('accounts-loading', T.accountsLoading, [el('div', { 'class': 'spinner', 'aria-hidden': 'true' })]);
    // The summary is ready once the fetch that follows a login is done:
    // 202 until then.
    (function poll() {
      api('GET', 'GetAccountsSummaryAsync/' + encodeURIComponent(b.RequestId)).then(function (r) {
        if (r.status === 202) { setTimeout(poll, 500); return; }
        if (r.status !== 200) { fail(r.body.FlinksCode || 'OTHER', true); return; }
        accountsScreen(loginId, institution, r.body.Accounts || []);
      });
    })();
  }

  function accountsScreen(loginId, institution, accounts) {
    post('COMPONENT_LOAD_ACCOUNT_SELECTION', { institution: institution });
    var shown = accounts.filter(function (a) { return cfg.showAllAccounts || a.Category === 'Operations'; });
    var multi = cfg.accountSelectorMultiple;
    var inputs = shown.map(function (a) {
      return el('input', { type: multi ? 'checkbox' : 'radio', name: 'account', value: a.Id, testid: 'account-' + a.Id });
    });
    var choices = shown.map(function (a, j) {
      var digits = a.LastFourDigits || (a.AccountNumber ? String(a.AccountNumber).slice(-4) : '');
      var bal = a.Balance && typeof a.Balance.Current === 'number' ?
        new Intl.NumberFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', { style: 'currency', currency: a.Currency || 'CAD' }).format(a.Balance.Current) : '';
      return el('label', { 'class': 'choice' }, [inputs[j], el('span', {}, [a.Title || a.Type || a.Id,
        el('span', { 'class': 'account-meta', text: [digits ? fmt(T.ending, { digits: digits }) : '', bal].filter(Boolean).join(' · ') })])]);
    });
    var form = el('form', { method: 'post', novalidate: true, testid: 'account-form' }, [
      el('fieldset', {}, [el('legend', { 'class': 'sr-only', text: multi ? T.accountsTitleMultiple : T.accountsTitle })].concat(choices)),
      shown.length ? null : el('p', { 'class': 'status', text: T.accountsNone }),
      el('button', { type: 'submit', 'class': 'primary', testid: 'account-submit', text: T.submit })
    ].filter(Boolean));
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var picked = inputs.filter(function (x) { return x.checked; }).map(function (x) { return x.value; });
      if (!picked.length && shown.length) {
        setError(form, T.accountsRequired);
        return;
      }
      post('ACCOUNT_SELECTED', { accountId: picked.join(','), institution: institution });
      redirect(loginId, institution, picked);
    });
    show('accounts', multi ? T.accountsTitleMultiple : T.accountsTitle, [form]);
  }

  // redirect posts REDIRECT, shows the end, then goes to redirectUrl: the
  // top window by default, the iframe itself with innerRedirect, nowhere
  // with jsRedirect (the parent navigates on the event).
  function redirect(loginId, institution, accountIds) {
    var q = 'loginId=' + encodeURIComponent(loginId) + '&institution=' + encodeURIComponent(institution);
    if (accountIds.length) { q += '&accountId=' + accountIds.map(encodeURIComponent).join(','); }
    var url = cfg.redirectUrl ? cfg.redirectUrl + (cfg.redirectUrl.indexOf('?') >= 0 ? '&' : '?') + q : '?' + q;
    var fields = { url: url, loginId: loginId, requestId: state.requestId, institution: institution };
    if (accountIds.length) { fields.accountId = accountIds.join(','); }
    post('REDIRECT', fields);
    state.ended = true;
    show('success', T.successTitle, [el('p', { 'class': 'done', 'aria-hidden': 'true', text: '\u2713' }), el('p', { text: T.successBody })]);
    if (!cfg.redirectUrl || cfg.jsRedirect) { return; }
    setTimeout(function () {
      if (cfg.innerRedirect || window.top === window) {
        location.assign(url);
        return;
      }
      try {
        // A cross-origin frame may set the top window's href, and only
        // that; browsers allow it once the person has used the page.
        window.top.location.href = url;
      } catch (e) {
        location.assign(url);
      }
    }, 100);
  }

  function tokenInvalid() {
    post('TOKEN_INVALID');
    show('token-invalid', T.tokenTitle, [el('p', { text: T.tokenBody })]);
  }

  // fail shows an error that ends the conversation; posted tells whether
  // its event is already sent.
  function fail(code, posted) {
    if (!posted) { post(code, { flinksCode: code }); }
    state.ended = true;
    show('error', T.errorTitle, [errorBox(message(code))], cfg.backEnable && state.institutions.length ? function () {
      state.credentialFailures = 0;
      state.mfaFailures = 0;
      institutions();
    } : null);
  }

  start();
})();
