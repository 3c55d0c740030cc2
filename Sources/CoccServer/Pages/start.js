/* The start page: its language, and the examples with this server's address. */
cocc.applyI18n();
var examples = document.getElementById('examples-text');
examples.textContent = examples.textContent.split('BASE').join(location.origin);
