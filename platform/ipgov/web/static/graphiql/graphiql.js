// GraphiQL from the package's own copies of React, ReactDOM and GraphiQL (static/vendor):
// no CDN, no inline script. The page says where the endpoint is (data-endpoint); ?q= opens a
// query. Headers (e.g. Authorization: Bearer <token>) go in the headers editor.
(function () {
  const root = document.getElementById("graphiql");
  const params = new URLSearchParams(window.location.search);
  const fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint });
  const element = React.createElement(GraphiQL, {
    fetcher,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
    defaultQuery: root.dataset.example,
    query: params.get("q") || undefined,
  });
  ReactDOM.createRoot(root).render(element);
})();
