// Finding a path inside a snapshot without walking the whole tree: one tree per path component,
// and a binary search inside each (tree nodes are sorted by name, byte-wise, as restic writes
// them), so a folder with 100k entries costs a lookup, not a scan.
import { CairnError, compareNames, type Id, type Repository, type Tree, type TreeNode } from '../../../src-worker/index.ts';

export function childNamed(tree: Tree, name: string): TreeNode | undefined {
  const nodes = tree.nodes;
  let lo = 0, hi = nodes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareNames(nodes[mid].name, name);
    if (c === 0) return nodes[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  // A tree written out of order by some other tool: still answer correctly, just slower.
  return nodes.find((n) => n.name === name);
}

export function pathParts(snapshotPath: string): string[] {
  return snapshotPath.split('/').filter((p) => p !== '');
}

/** The node at `snapshotPath` ("/" has none: null), or undefined when the path does not exist. */
export async function nodeAt(repo: Repository, rootTree: Id, snapshotPath: string): Promise<TreeNode | null | undefined> {
  const parts = pathParts(snapshotPath);
  if (parts.length === 0) return null;
  let treeId = rootTree;
  let node: TreeNode | undefined;
  for (let i = 0; i < parts.length; i++) {
    node = childNamed(await repo.loadTree(treeId), parts[i]);
    if (!node) return undefined;
    if (i < parts.length - 1) {
      if (node.type !== 'dir' || !node.subtree) return undefined;
      treeId = node.subtree;
    }
  }
  return node;
}

/** The tree id of the folder at `snapshotPath`; NOT_FOUND when it is missing or not a folder. */
export async function folderTree(repo: Repository, rootTree: Id, snapshotPath: string): Promise<Id> {
  const node = await nodeAt(repo, rootTree, snapshotPath);
  if (node === null) return rootTree;
  if (node === undefined) throw new CairnError('NOT_FOUND', `${snapshotPath} is not in this snapshot: browse from its parent folder`);
  if (node.type !== 'dir' || !node.subtree) throw new CairnError('INVALID_ARGUMENT', `${snapshotPath} is a ${node.type}, not a folder: browse its parent folder`);
  return node.subtree;
}
