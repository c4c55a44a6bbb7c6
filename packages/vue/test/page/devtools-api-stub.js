// Pinia's browser build imports the Vue devtools bridge, which pulls in a dozen packages of
// its own; the test page has no devtools, so the one function Pinia calls does nothing here.
export function setupDevtoolsPlugin() {}
