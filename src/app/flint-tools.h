#pragma once

#include "flint-application.h"

G_BEGIN_DECLS

/* The power-user and admin tools of the main menu (XML console, service
 * discovery, user search, contact details, broadcast) as app actions with
 * their shortcuts; with FLINT_TEST_HOOKS=1 also app.test-tools, which
 * drives them for the UI tests. Called once from start-up. */
void flint_tools_install (FlintApplication *app);

G_END_DECLS
