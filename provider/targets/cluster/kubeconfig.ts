import type * as K8s from "@kubernetes/client-node";
import { OutputError, messageOf } from "../../errors";

/** Where the kubeconfig comes from: a file, a text (a Pulumi secret's value), or as kubectl finds one. */
export interface KubeconfigOptions {
  /** A kubeconfig file; absent (with no text): as kubectl finds one (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig?: string;
  /** A kubeconfig's text, instead of a file. */
  readonly kubeconfigText?: string;
  readonly context?: string;
}

type Client = typeof import("./client");

/** The Kubernetes client, loaded only here: every module loaded costs each CLI run's start, `generate`'s included. */
function client(): Client {
  return require("./client") as Client;
}

/** The kubeconfig, its context chosen. @throws OutputError that never quotes a kubeconfig given as text (it holds credentials). */
export function loadKubeconfig(options: KubeconfigOptions): K8s.KubeConfig {
  const kc = new (client().KubeConfig)();
  try {
    if (options.kubeconfigText !== undefined) kc.loadFromString(options.kubeconfigText);
    else if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
    if (options.context) kc.setCurrentContext(options.context);
  } catch (err) {
    if (options.kubeconfigText !== undefined) throw new OutputError("the kubeconfig given cannot be read: it is not a kubeconfig (YAML with clusters, users and contexts)");
    throw new OutputError(`cannot load the kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ""}: ${messageOf(err)}`, {}, { cause: err });
  }
  return kc;
}
