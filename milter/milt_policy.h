/*
 * milt_policy.h - struct conf to struct mime_policy, shared by calmilter and
 * calnorm so that both make the same bytes of the same message.
 * Needs no libmilter.
 */
#ifndef CALMILTER_MILT_POLICY_H
#define CALMILTER_MILT_POLICY_H

#include "../conf/conf.h"
#include "../mime/mime.h"

/* milt_policy_from_conf - the policy for one message processed now */
void milt_policy_from_conf(struct mime_policy *pol, const struct conf *conf);

/*
 * milt_policy_check - what the configuration parser cannot judge alone
 * (conf/ knows no rules): every id of DisableRules and ReportOnlyRules is a
 * rule of this version, and none is in both; DkimSigned verified has
 * TrustedAuthservIDs to believe. 0, or -1 with a message.
 */
int milt_policy_check(const struct conf *conf, char *err, size_t errlen);

#endif
