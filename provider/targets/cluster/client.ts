/**
 * What the cluster target uses of the Kubernetes project's JavaScript client: the kubeconfig (as
 * kubectl finds it, with its contexts, certificates, tokens and exec plugins) and the request it
 * authenticates. Only this module imports the client, and only by name, so the CLI's bundle holds
 * just these parts of it (see scripts/bundle.mjs) and a run that reaches no cluster loads none.
 */
export { KubeConfig, RequestContext } from "@kubernetes/client-node";
