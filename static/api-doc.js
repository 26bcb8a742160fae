// Starts Swagger UI on /api/doc. The addresses come from the page's data
// attributes, so this file is the same on every server and the page needs
// no inline script (the Content-Security-Policy allows none).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  var ui = SwaggerUIBundle({
    url: root.dataset.spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Never send the document to a validator on the internet.
    validatorUrl: null,
    oauth2RedirectUrl: root.dataset.redirect,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
  // latchkey requires PKCE of public clients, which a browser page is.
  ui.initOAuth({ usePkceWithAuthorizationCodeGrant: true, scopeSeparator: " " });
  window.ui = ui;
});
