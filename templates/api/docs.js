{% comment %}Swagger UI for the read-only API: drf-spectacular's start-up script without its
token and authorisation hooks, which an anonymous API that only reads does not use (and whose
token would set a cookie).{% endcomment %}"use strict";
window.ui = SwaggerUIBundle({
  url: "{{ schema_url|escapejs }}",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  ...{{ settings|safe }},
});
