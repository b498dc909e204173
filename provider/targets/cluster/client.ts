/**
 * What the cluster target uses of the Kubernetes project's JavaScript client: the kubeconfig (as
 * kubectl finds it, with its contexts, certificates, tokens and exec plugins), which gives each
 * request its credentials. The target loads the client through this module alone, which names what
 * it needs, so the CLI's bundle of it (dist/kube-client.cjs, see scripts/bundle.mjs) holds just
 * these parts, and a run that reaches no cluster loads none of it. (The component's cluster
 * provider is serialized into state and loads the package itself.)
 */
export { KubeConfig } from "@kubernetes/client-node";
